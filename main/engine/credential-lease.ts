// A job's upload credential (docs/ARCHITECTURE.md §3 "Credentials", "Providers"): renewed
// through the provider (Alibaba: RefreshUploadVideo) well before it expires and whenever
// the object store refuses it, one renewal at a time per job. Parts that fail on a stale
// credential ask for a renewal naming the credential they used, so ten parts failing
// together cause one. A provider that cannot renew (Tencent, when ApplyUploadUGC refuses
// the session) is used to the end of its credential; then the lease says
// UPLOAD_SESSION_EXPIRED and the engine re-opens.

import { EngineError, UPLOAD_SESSION_EXPIRED } from './errors';
import type { RenewedCredential, UploadAddress, UploadCredential, UploadTarget } from './provider';

/**
 * The credential of one upload as a ChunkWriter sees it (docs/ARCHITECTURE.md §3
 * "Providers"). A writer calls current() before each request and refresh(used) when the
 * store refused the credential it used; it builds a new client when `version` changes.
 * When the provider cannot renew (Tencent, refused by ApplyUploadUGC), current() and refresh() throw an
 * EngineError with code UPLOAD_SESSION_EXPIRED (errors.ts) once the credential is too
 * close to its end: the engine then re-opens the upload.
 */
export interface UploadLease {
  /** Where the bytes go; a renewal may move it (Alibaba answers the address again). */
  readonly target: UploadTarget;
  /** Counts renewals; a writer makes a new client per version. */
  readonly version: number;
  /** A credential good for at least the margin; renews first if needed and possible. */
  current(): Promise<UploadCredential>;
  /** Renews unless someone already replaced `stale`; single-flight. */
  refresh(stale?: UploadCredential): Promise<UploadCredential>;
  /** Expected duration of one request; the renewal margin is larger than this. */
  setExpectedPartMs(ms: number): void;
}

export interface LeaseOptions {
  now?: () => number;
  /** Expected duration of one part; the refresh margin is larger than this. */
  expectedPartMs?: number;
}

/**
 * How a lease renews its credential: a provider's renewCredential bound to one upload,
 * or (older callers) an object with Alibaba's refreshUpload.
 */
export type Renew = () => Promise<RenewedCredential | undefined>;

type LegacyRenewer = { refreshUpload(videoId: string): Promise<{ address: UploadAddress; credential: UploadCredential }> };

const MIN_MARGIN_MS = 60_000;
/** The part of a credential's life left when it is renewed, at the least. */
const RENEW_AT_LIFE_FRACTION = 0.1;
/** Without renewal, a credential is used until this close to its end (a request's signature is checked when it arrives). */
const LAST_USE_MS = 2_000;

/** The lease's credential has run out and the provider cannot renew it: the upload is opened again. */
export function sessionExpired(why: string): EngineError {
  return new EngineError({
    kind: 'credentialExpired', code: UPLOAD_SESSION_EXPIRED, retryable: false,
    message: `The upload session can no longer be used: ${why}.`,
    hint: 'The upload is opened again with a new session and starts that object from the beginning.',
  });
}

export class CredentialLease implements UploadLease {
  private credential: UploadCredential;
  private pending: Promise<UploadCredential> | undefined;
  private readonly now: () => number;
  private readonly renew: Renew;
  private expectedPartMs: number;
  private issuedAt: number;
  /** False once the provider said it cannot renew this upload's credential. */
  private renewable = true;
  /** Counts refreshes; a new client is built per version. */
  version = 0;

  /**
   * `new CredentialLease(renew, target, credential)`; the older form
   * `new CredentialLease(provider, videoId, address, credential)` renews with the
   * provider's RefreshUploadVideo.
   */
  constructor(renew: Renew, target: UploadTarget, credential: UploadCredential, opts?: LeaseOptions);
  constructor(provider: LegacyRenewer, videoId: string, address: UploadAddress, credential: UploadCredential, opts?: LeaseOptions);
  constructor(
    a: Renew | LegacyRenewer, b: UploadTarget | string, c: UploadCredential | UploadAddress, d?: UploadCredential | LeaseOptions, e?: LeaseOptions,
  ) {
    let opts: LeaseOptions;
    if (typeof a === 'function') {
      this.renew = a;
      this.address = b as UploadTarget;
      this.credential = c as UploadCredential;
      opts = (d as LeaseOptions | undefined) ?? {};
    } else {
      const videoId = b as string;
      this.renew = () => a.refreshUpload(videoId).then(({ address, credential }) => ({ target: address, credential }));
      this.address = c as UploadAddress;
      this.credential = d as UploadCredential;
      opts = e ?? {};
    }
    this.now = opts.now ?? Date.now;
    this.expectedPartMs = opts.expectedPartMs ?? 0;
    this.issuedAt = this.now();
  }

  /** Where the bytes go (the last renewal's answer). */
  address: UploadTarget;

  get target(): UploadTarget {
    return this.address;
  }

  setExpectedPartMs(ms: number): void {
    this.expectedPartMs = ms;
  }

  /**
   * Margin before expiry at which we refresh: larger than a part's expected duration
   * (so a part never starts on a credential about to lapse), at least a minute and a
   * tenth of the credential's life (vod-js-sdk-v6 renews at 90 % of it), but never more
   * than half the life (short-lived credentials in tests). Without renewal the credential
   * is used to its last seconds instead.
   */
  private marginMs(): number {
    const life = Math.max(0, this.credential.expiresAt - this.issuedAt);
    if (!this.renewable) return Math.min(life / 20, LAST_USE_MS);
    return Math.min(life / 2, Math.max(MIN_MARGIN_MS, life * RENEW_AT_LIFE_FRACTION, this.expectedPartMs * 1.5));
  }

  /** A credential good for at least the margin; refreshes first if needed. */
  async current(): Promise<UploadCredential> {
    if (this.pending) return this.pending;
    if (this.credential.expiresAt - this.now() <= this.marginMs()) return this.renewOnce(this.credential, false);
    return this.credential;
  }

  /**
   * Refreshes unless someone already replaced `stale`. Single-flight: concurrent
   * callers share one renewal. A provider that cannot renew keeps the credential while
   * it lasts; past that (or when the store refused it) this throws UPLOAD_SESSION_EXPIRED.
   */
  refresh(stale?: UploadCredential): Promise<UploadCredential> {
    return this.renewOnce(stale, stale !== undefined);
  }

  /** `refused`: the store refused `stale` (else it is only close to its end). */
  private renewOnce(stale: UploadCredential | undefined, refused: boolean): Promise<UploadCredential> {
    if (stale && stale !== this.credential) return Promise.resolve(this.credential);
    if (!this.renewable) return this.lastUse(refused);
    if (!this.pending) {
      this.pending = this.renew()
        .then((renewed) => {
          if (!renewed) {
            this.renewable = false;
            return this.lastUse(refused);
          }
          this.address = renewed.target;
          this.credential = renewed.credential;
          this.issuedAt = this.now();
          this.version++;
          return renewed.credential;
        })
        .finally(() => {
          this.pending = undefined;
        });
    }
    return this.pending;
  }

  /** Without renewal: the credential while it lasts, unless the store already refused it. */
  private lastUse(refused: boolean): Promise<UploadCredential> {
    if (refused) return Promise.reject(sessionExpired('the object store refused its temporary credential and the provider cannot renew it'));
    if (this.credential.expiresAt - this.now() > Math.min(Math.max(0, this.credential.expiresAt - this.issuedAt) / 20, LAST_USE_MS)) {
      return Promise.resolve(this.credential);
    }
    return Promise.reject(sessionExpired('its temporary credential expired and the provider cannot renew it'));
  }
}
