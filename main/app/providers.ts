// One provider per profile for the engine (EngineOptions.providerFor). The engine's
// call is synchronous but a profile's provider needs async work first (opening the
// secret, starting the sandbox), so each profile gets a stable stand-in that resolves
// the real provider on use. Editing a profile drops the cached one: the next call,
// even for a job already running, uses the new credentials.

import type { VideoProvider } from '../engine/provider';
import type { ProviderFactory } from './ports';
import type { ProfileService } from './profiles';

export class ProviderRegistry {
  private readonly real = new Map<string, Promise<VideoProvider>>();
  private readonly standIns = new Map<string, VideoProvider>();

  constructor(private readonly profiles: ProfileService, private readonly factory: ProviderFactory) {}

  /** `undefined` (a job without a profile, e.g. added by the CLI) = the active profile. */
  providerFor(profileId: string | undefined): VideoProvider {
    const key = profileId ?? '';
    let standIn = this.standIns.get(key);
    if (!standIn) {
      standIn = this.makeStandIn(profileId);
      this.standIns.set(key, standIn);
    }
    return standIn;
  }

  resolve(profileId: string | undefined): Promise<VideoProvider> {
    const id = profileId ?? this.profiles.activeId();
    if (!id) return Promise.reject(noProfile());
    let p = this.real.get(id);
    if (!p) {
      p = this.profiles.credentials(id).then(this.factory);
      p.catch(() => this.real.delete(id));
      this.real.set(id, p);
    }
    return p;
  }

  invalidate(): void {
    this.real.clear();
  }

  private makeStandIn(profileId: string | undefined): VideoProvider {
    const via = <K extends keyof VideoProvider>(name: K): VideoProvider[K] =>
      (async (...args: unknown[]) => {
        const provider = await this.resolve(profileId);
        return (provider[name] as (...a: unknown[]) => Promise<unknown>).apply(provider, args);
      }) as VideoProvider[K];
    return {
      createUpload: via('createUpload'),
      refreshUpload: via('refreshUpload'),
      getVideoStatus: via('getVideoStatus'),
      createImageUpload: via('createImageUpload'),
      setCover: via('setCover'),
      deleteVideo: via('deleteVideo'),
      getCatalog: via('getCatalog'),
      testConnection: via('testConnection'),
    };
  }
}

function noProfile(): Error {
  return Object.assign(new Error('No profile is selected. Add an Alibaba Cloud profile or choose the Sandbox.'), { code: 'NoActiveProfile' });
}
