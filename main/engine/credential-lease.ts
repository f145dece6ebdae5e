// A job's upload credential (docs/ARCHITECTURE.md §3 "Credentials"): refreshed with
// RefreshUploadVideo well before it expires and whenever OSS refuses it, one refresh
// at a time per job. Parts that fail on a stale credential ask for a refresh naming
// the credential they used, so ten parts failing together cause one refresh.

import type { UploadAddress, UploadCredential, VideoProvider } from './provider';

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
