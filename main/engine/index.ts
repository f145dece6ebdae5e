// Engine factory: the one entry point shells use (DESIGN.md §2, one engine, three shells).
// Implemented in service.ts; this file is the stable import path.

import type { EngineSettings } from '../../shared/types';
import type { UploadEngineApi } from './api';
import type { VideoProvider } from './provider';

export interface EngineOptions {
  /** SQLite queue file; created with its folder if missing. */
  dbPath: string;
  /** The provider for new and running jobs (built from a profile or env credentials). */
  provider: VideoProvider;
  /** Overrides of stored settings for this run (CLI flags). */
  settings?: Partial<EngineSettings>;
  /** Start the restore pass and scheduling at once (default true). */
  autoStart?: boolean;
}

export type { UploadEngineApi };
