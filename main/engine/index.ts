// Engine factory: the one entry point shells use (docs/ARCHITECTURE.md §2, one engine, three shells).

import type { EngineSettings } from '../../shared/types';
import type { UploadEngineApi } from './api';
import type { MediaLibraryPort } from './library/port';
import type { VideoProvider } from './provider';

export interface EngineOptions {
  /** SQLite queue file; created with its folder if missing. */
  dbPath: string;
  /**
   * The provider for a job's profile. A job keeps the profile it was added under
   * (RefreshUploadVideo must go to the account that created the VideoId), so the
   * engine asks per job. `undefined` = the CLI's single environment/profile account.
   */
  providerFor: (profileId: string | undefined) => VideoProvider;
  /**
   * The account a profile's jobs upload to, as the ledger names it (ledger.ts): the
   * CLI's AccessKeyId@endpoint, the app's profile. Never a secret. Absent: the profile
   * id ('' for none).
   */
  accountOf?: (profileId: string | undefined) => string;
  /**
   * The library side of a profile's account (downloads resolve their URLs with its
   * mediaUrls). Absent: the provider itself, when it implements MediaLibraryPort.
   */
  libraryFor?: (profileId: string | undefined) => MediaLibraryPort;
  /** Overrides of stored settings for this run (CLI flags); not persisted. */
  settings?: Partial<EngineSettings>;
}

export type { UploadEngineApi };

export { openEngine, UploadEngine } from './service';
