// One provider per profile for the engine (EngineOptions.providerFor). The engine's
// call is synchronous but a profile's provider needs async work first (opening the
// secret, starting the sandbox), so each profile gets a stable stand-in that resolves
// the real provider on use. Editing a profile drops the cached one: the next call,
// even for a job already running, uses the new credentials.
//
// The stand-in's methods are read from the provider's class, not listed by hand: the
// engine decides by a method's presence whether it can adopt a video after a lost
// CreateUploadVideo answer (findUnfinishedUploads) and whether it can ask for many
// statuses in one call (getVideoStatuses), so a stand-in that dropped an optional
// method silently changed what the desktop app and web mode do.
//
// The profile's kind chooses the class (Tencent's for a `tencent` profile, the given one
// otherwise), and so the stand-in's methods and name: a Tencent stand-in has no
// findUnfinishedUploads or createImageUpload, as TencentProvider has none.

import type { ProviderCredentials, VideoProvider } from '../engine/provider';
import { TencentProvider } from '../engine/tencent/tencent-provider';
import type { ProviderClass } from './ports';
import type { ProfileService } from './profiles';

type Method = (...args: unknown[]) => Promise<unknown>;

/**
 * The methods instances of `cls` have: the functions on its prototype chain below Object,
 * each name decided by its nearest definition (as property lookup does).
 */
export function providerMethodNames(cls: ProviderClass): string[] {
  const seen = new Set<string>(['constructor']);
  const names: string[] = [];
  for (let proto: object | null = cls.prototype as object; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (seen.has(name)) continue;
      seen.add(name);
      if (typeof Object.getOwnPropertyDescriptor(proto, name)?.value === 'function') names.push(name);
    }
  }
  return names;
}

/** Functions an instance holds itself (arrow-function properties), which its class does not show. */
function ownMethodNames(provider: VideoProvider): string[] {
  return Object.keys(provider).filter((k) => typeof (provider as unknown as Record<string, unknown>)[k] === 'function');
}

export class ProviderRegistry {
  private readonly real = new Map<string, Promise<VideoProvider>>();
  private readonly standIns = new Map<string, VideoProvider>();
  private readonly methods = new Map<ProviderClass, readonly string[]>();

  constructor(
    private readonly profiles: ProfileService,
    private readonly providerClass: ProviderClass,
    private readonly tencentClass: ProviderClass = TencentProvider,
  ) {}

  private methodsOf(cls: ProviderClass): readonly string[] {
    let m = this.methods.get(cls);
    if (!m) {
      m = providerMethodNames(cls);
      this.methods.set(cls, m);
    }
    return m;
  }

  private classFor(provider: ProviderCredentials['provider']): ProviderClass {
    return provider === 'tencent' ? this.tencentClass : this.providerClass;
  }

  /** The class for a profile, by its kind (the active profile's for undefined). */
  private classOfProfile(profileId: string | undefined): ProviderClass {
    const id = profileId ?? this.profiles.activeId();
    const kind = id ? this.profiles.get?.(id)?.kind : undefined;
    return this.classFor(kind === 'tencent' ? 'tencent' : undefined);
  }

  /** `undefined` (a job without a profile, e.g. added by the CLI) = the active profile. */
  providerFor(profileId: string | undefined): VideoProvider {
    const cls = this.classOfProfile(profileId);
    const key = `${profileId ?? ''}|${cls === this.tencentClass ? 'tencent' : 'default'}`;
    let standIn = this.standIns.get(key);
    if (!standIn) {
      standIn = this.makeStandIn(profileId, cls);
      this.standIns.set(key, standIn);
    }
    return standIn;
  }

  resolve(profileId: string | undefined): Promise<VideoProvider> {
    const id = profileId ?? this.profiles.activeId();
    if (!id) return Promise.reject(noProfile());
    let p = this.real.get(id);
    if (!p) {
      p = this.profiles.credentials(id).then((c) => this.checked(new (this.classFor(c.provider))(c), this.classFor(c.provider)));
      p.catch(() => this.real.delete(id));
      this.real.set(id, p);
    }
    return p;
  }

  /** A provider for credentials no profile holds yet (an account tested before it is saved). */
  forCredentials(credentials: ProviderCredentials): VideoProvider {
    const cls = this.classFor(credentials.provider);
    return this.checked(new cls(credentials), cls);
  }

  invalidate(): void {
    this.real.clear();
  }

  /**
   * A provider with a method its class does not declare (an arrow-function property)
   * would lose it in the stand-in: refuse it loudly instead of uploading without it.
   */
  private checked(provider: VideoProvider, cls: ProviderClass): VideoProvider {
    const methods = this.methodsOf(cls);
    const missing = ownMethodNames(provider).filter((m) => !methods.includes(m));
    if (missing.length > 0) {
      throw new Error(`The provider ${cls.name} has methods the app cannot forward (${missing.join(', ')}); declare them as class methods.`);
    }
    return provider;
  }

  private makeStandIn(profileId: string | undefined, cls: ProviderClass): VideoProvider {
    const standIn: Record<string, Method> = {};
    for (const name of this.methodsOf(cls)) {
      standIn[name] = async (...args: unknown[]) => {
        const provider = await this.resolve(profileId);
        return ((provider as unknown as Record<string, Method>)[name]).apply(provider, args);
      };
    }
    // VideoProvider.name (not a method, so not enumerable among the forwarded ones).
    Object.defineProperty(standIn, 'name', { value: cls.providerName ?? 'aliyun', enumerable: false });
    return standIn as unknown as VideoProvider;
  }
}

function noProfile(): Error {
  return Object.assign(new Error('No profile is selected. Add an Alibaba Cloud profile or choose the Sandbox.'), { code: 'NoActiveProfile' });
}
