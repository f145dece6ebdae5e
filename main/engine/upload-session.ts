// A job's open upload as the engine holds it (docs/ARCHITECTURE.md §3 "Providers"): the
// provider's identity read from the job record, and the channel the bytes go through —
// the credential lease plus the provider's chunk writers on it.

import type { ChunkWriter, ChunkWriterOptions } from './chunk-writer';
import { CredentialLease } from './credential-lease';
import type { UploadCredential, UploadIdentity, UploadProvider, UploadTarget } from './provider';
import type { JobRecord } from './store/records';

/**
 * The identity of the job's open upload, or undefined when none was opened. Alibaba jobs
 * (and every job from before the provider seam) are known by their VideoId alone.
 */
export function identityOf(rec: Pick<JobRecord, 'videoId' | 'uploadSession'>): UploadIdentity | undefined {
  if (!rec.videoId && !rec.uploadSession) return undefined;
  const identity: UploadIdentity = {};
  if (rec.videoId) identity.mediaId = rec.videoId;
  if (rec.uploadSession) identity.session = rec.uploadSession;
  return identity;
}

/** The lease and the writers of one open upload. */
export interface UploadChannel {
  readonly provider: UploadProvider;
  readonly identity: UploadIdentity;
  readonly lease: CredentialLease;
  /** A writer for the target's object, or another key in its bucket (`opts.objectKey`). */
  writer(opts?: ChunkWriterOptions): Promise<ChunkWriter>;
}

export function openChannel(provider: UploadProvider, identity: UploadIdentity, target: UploadTarget, credential: UploadCredential): UploadChannel {
  const lease = new CredentialLease(() => provider.renewCredential(identity, 'expiring'), target, credential);
  return {
    provider,
    identity,
    lease,
    writer: (opts) => provider.chunkWriter(lease.target, lease, opts),
  };
}

/**
 * A channel for an upload opened in an earlier run (or for cleaning one up): a credential
 * through renewCredential('resume'). Undefined when the provider cannot give one: the
 * caller re-opens (a run) or leaves the upload to the store (a clean-up).
 */
export async function resumeChannel(provider: UploadProvider, identity: UploadIdentity): Promise<UploadChannel | undefined> {
  const renewed = await provider.renewCredential(identity, 'resume');
  return renewed && openChannel(provider, identity, renewed.target, renewed.credential);
}
