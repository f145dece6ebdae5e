// The queue store's public surface (docs/ARCHITECTURE.md §3: SQLite is the only truth).

export {
  openQueueStore, QueueStore, QueueStoreError, JobNotFoundError, MAX_PAGE_ROWS,
  type QueueStoreOptions, type TransitionOptions,
} from './queue-store';
export { DatabaseTooNewError, SCHEMA_VERSION } from './migrations';
export { ledgerAccount, LedgerRepository, type LedgerEntry, type NewLedgerEntry, type QueuedMatch } from './ledger';
export type { HlsFileRecord, HlsFileRepository, NewHlsFile } from './hls-files';
export { useSqliteNativeBinding } from './sqlite-binding';
export type {
  EventRecord, JobPatch, JobRecord, NewJobRecord, PartRecord, ProfileRecord, UpdateMetaResult,
} from './records';
