// A job's upload credential (docs/ARCHITECTURE.md §3 "Credentials"): refreshed with
// RefreshUploadVideo well before it expires and whenever OSS refuses it, one refresh
// at a time per job. Parts that fail on a stale credential ask for a refresh naming
// the credential they used, so ten parts failing together cause one refresh.

import type { UploadAddress, UploadCredential, UploadTarget, VideoProvider } from './provider';

/**
 * The credential of one upload as a ChunkWriter sees it (docs/ARCHITECTURE.md §3
 * "Providers"). A writer calls current() before each request and refresh(used) when the
 * store refused the credential it used; it builds a new client when `version` changes.
 * When the provider cannot renew (Tencent API 3.0), current() and refresh() throw an
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

const MIN_MARGIN_MS = 60_000;

export class CredentialLease {
  private credential: UploadCredential;
  private pending: Promise<UploadCredential> | undefined;
  private readonly now: () => number;
  private expectedPartMs: number;
  private issuedAt: number;
  /** Counts refreshes; a new client is built per version. */
  version = 0;

  constructor(
    private readonly provider: VideoProvider,
    readonly videoId: string,
    public address: UploadAddress,
    credential: UploadCredential,
    opts: LeaseOptions = {},
  ) {
    this.credential = credential;
    this.now = opts.now ?? Date.now;
    this.expectedPartMs = opts.expectedPartMs ?? 0;
    this.issuedAt = this.now();
  }

  setExpectedPartMs(ms: number): void {
    this.expectedPartMs = ms;
  }

  /**
   * Margin before expiry at which we refresh: larger than a part's expected duration
   * (so a part never starts on a credential about to lapse), at least a minute, but
   * never more than half the credential's life (short-lived credentials in tests).
   */
  private marginMs(): number {
    const life = Math.max(0, this.credential.expiresAt - this.issuedAt);
    return Math.min(life / 2, Math.max(MIN_MARGIN_MS, this.expectedPartMs * 1.5));
  }

  /** A credential good for at least the margin; refreshes first if needed. */
  async current(): Promise<UploadCredential> {
    if (this.pending) return this.pending;
    if (this.credential.expiresAt - this.now() <= this.marginMs()) return this.refresh(this.credential);
    return this.credential;
  }

  /**
   * Refreshes unless someone already replaced `stale`. Single-flight: concurrent
   * callers share one RefreshUploadVideo.
   */
  refresh(stale?: UploadCredential): Promise<UploadCredential> {
    if (stale && stale !== this.credential) return Promise.resolve(this.credential);
    if (!this.pending) {
      this.pending = this.provider
        .refreshUpload(this.videoId)
        .then(({ address, credential }) => {
          this.address = address;
          this.credential = credential;
          this.issuedAt = this.now();
          this.version++;
          return credential;
        })
        .finally(() => {
          this.pending = undefined;
        });
    }
    return this.pending;
  }
}
