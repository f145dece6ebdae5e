// The app's network settings (docs/ARCHITECTURE.md §3 "Network"): the proxy mode, the
// proxy URL and the OSS endpoint option, kept in the queue database's settings table
// (row "network") and applied to the process's routing agent and OSS endpoint choice.
//
// The proxy URL may carry a password. It is sealed by the shell's SecretBox like an
// AccessKey secret (the table holds only the sealed blob and the masked URL); the renderer
// only ever gets the masked URL (user:••••@host:port), and a URL sent back with the mask
// keeps the stored password.

import { configureOssEndpoint } from '../engine/net/oss-endpoint';
import {
  configureProxy, hasMaskedPassword, maskProxyUrl, parseProxyUrl, withStoredPassword,
  type ProxyPolicy, type SystemProxyResolver,
} from '../engine/net/proxy';
import { testProxy } from '../engine/net/proxy-test';
import type { NetworkSettingsPatch, NetworkSettingsView, OssEndpointMode, ProxyMode, ProxyTestResult } from '../../shared/types';
import { proxyUrlProblem } from '../../shared/validation';
import { IpcError } from './ipc-error';
import type { SecretBox } from './secret-box';

const ROW = 'network';

interface StoredNetwork {
  proxyMode: ProxyMode;
  /** The masked URL, what the renderer is shown. */
  proxyUrlShown: string;
  /** The full URL, sealed by the SecretBox, base64. */
  proxyUrlSealed: string;
  proxyHasPassword: boolean;
  ossEndpoint: OssEndpointMode;
}

const DEFAULTS: StoredNetwork = { proxyMode: 'system', proxyUrlShown: '', proxyUrlSealed: '', proxyHasPassword: false, ossEndpoint: 'default' };

export interface NetworkSettingsStore {
  readSettingJson(key: string): unknown;
  writeSettingJson(key: string, value: unknown): void;
}

export class NetworkSettingsService {
  private stored: StoredNetwork;

  constructor(
    private readonly store: NetworkSettingsStore,
    private readonly box: SecretBox,
    /** The OS's proxy (Electron's session.resolveProxy); absent in web mode and the CLI. */
    private readonly resolveSystem?: SystemProxyResolver,
  ) {
    this.stored = { ...DEFAULTS, ...(store.readSettingJson(ROW) as Partial<StoredNetwork> | undefined) };
  }

  /** Puts the stored settings into effect (at start). A URL that cannot be opened falls back to the system's proxy. */
  apply(): void {
    configureOssEndpoint(this.stored.ossEndpoint);
    try {
      configureProxy(this.policy(this.stored));
    } catch (err) {
      // The sealed URL cannot be opened here (another machine's key): the uploads use the
      // system's proxy until the URL is entered again, and the proxy test says why.
      configureProxy({ mode: 'system', resolveSystem: this.resolveSystem });
      console.warn(`vodup: the proxy setting could not be applied (${(err as Error).message}) Using the system proxy meanwhile.`);
    }
  }

  view(): NetworkSettingsView {
    return {
      proxyMode: this.stored.proxyMode,
      proxyUrl: this.stored.proxyUrlShown,
      proxyHasPassword: this.stored.proxyHasPassword,
      ossEndpoint: this.stored.ossEndpoint,
      systemProxyAvailable: this.resolveSystem !== undefined,
    };
  }

  update(patch: NetworkSettingsPatch): NetworkSettingsView {
    const next = this.merged(patch);
    this.store.writeSettingJson(ROW, next);
    this.stored = next;
    this.apply();
    return this.view();
  }

  /** The proxy test, for the settings as stored with `patch` (the form's unsaved values) on top. */
  async test(target: string, patch: NetworkSettingsPatch = {}): Promise<ProxyTestResult> {
    return testProxy(this.policy(this.merged(patch)), target);
  }

  private merged(patch: NetworkSettingsPatch): StoredNetwork {
    const next: StoredNetwork = { ...this.stored };
    if (patch.ossEndpoint !== undefined) next.ossEndpoint = patch.ossEndpoint;
    if (patch.proxyMode !== undefined) next.proxyMode = patch.proxyMode;
    if (patch.proxyUrl !== undefined) {
      const text = patch.proxyUrl.trim();
      if (text === '') {
        next.proxyUrlShown = '';
        next.proxyUrlSealed = '';
        next.proxyHasPassword = false;
      } else {
        const full = hasMaskedPassword(text) && this.stored.proxyUrlSealed ? withStoredPassword(text, this.openUrl(this.stored)) : text;
        const problem = proxyUrlProblem(full);
        if (problem) throw new IpcError('InvalidProxy', problem);
        const parsed = parseProxyUrl(full);
        next.proxyUrlShown = maskProxyUrl(parsed.href);
        next.proxyUrlSealed = this.box.encrypt(full).toString('base64');
        next.proxyHasPassword = parsed.password !== '';
      }
    }
    if (next.proxyMode === 'manual' && next.proxyUrlSealed === '') {
      throw new IpcError('InvalidProxy', 'Enter the proxy URL for a manual proxy, e.g. http://proxy.example.com:8080.');
    }
    return next;
  }

  private openUrl(s: StoredNetwork): string {
    try {
      return this.box.decrypt(Buffer.from(s.proxyUrlSealed, 'base64'));
    } catch {
      throw new IpcError('SecretUnreadable', 'The stored proxy URL cannot be decrypted (it was saved on another machine or by another user). Enter the proxy URL again in Settings → Network.');
    }
  }

  private policy(s: StoredNetwork): ProxyPolicy {
    if (s.proxyMode === 'manual') return { mode: 'manual', url: this.openUrl(s) };
    return { mode: s.proxyMode, resolveSystem: this.resolveSystem };
  }
}
