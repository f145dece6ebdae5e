// The renderer's one zustand store, made of slices. Actions live as module functions
// next to their slice (./profiles.ts, ./staging.ts …) and are fed by bridge events;
// components only read state and call those functions. High-frequency progress is
// NOT here: see ./progress.ts.

import { create } from 'zustand';
import type {
  Catalog, ConnectionResult, DuplicateFile, EngineSettings, JobMeta, JobSortKey, JobView, MediaProbe, ProfileView,
  QueueTab, QueueTotals, RejectedFile, ScannedFile,
} from '../../../shared/types';
import type { AppInfo, BridgeConnectionState } from '../../../shared/ipc';
import type { LibraryVideo } from '../../../shared/library';
import type { Problem } from '../../../shared/validation';

export type View = 'upload' | 'queue' | 'library' | 'watch' | 'profiles' | 'settings';
export type Language = 'en' | 'zh-CN';
/** 'add': media files and folders; 'cover': one image; 'manifest': one csv/json list to import. */
export type FolderBrowserMode = 'add' | 'cover' | 'manifest' | 'watch' | 'download';

export interface TestState extends Partial<ConnectionResult> {
  pending: boolean;
}

export interface ProfilesSlice {
  profiles: ProfileView[];
  activeProfileId: string | null;
  profilesLoaded: boolean;
  /** Result of the last "Test connection" per profile id. */
  tests: Record<string, TestState>;
}

export interface CatalogSlice {
  catalog: Catalog | null;
  catalogLoading: boolean;
  catalogError: string | null;
  /** The code of the error that stopped the catalog loading (e.g. SignatureDoesNotMatch), for its hint. */
  catalogErrorCode: string | null;
}

export interface StagedFile extends ScannedFile {
  fileName: string;
  meta: JobMeta;
  /** ffprobe's reading, filled in the background after the scan; undefined while pending. */
  probe?: MediaProbe;
  /** From an imported list's priority column; the engine's default otherwise. */
  priority?: number;
  /** The active account already has this file (uploaded, or in the queue): skipped on Start… */
  duplicate?: DuplicateFile;
  /** …unless the operator chose "Upload again" (a new VideoId). */
  uploadAgain?: boolean;
}

/** A file or list row that was not staged; `row` is the 1-based row of an imported list. */
export interface SkippedFile extends RejectedFile {
  row?: number;
  /** An imported row whose values failed the checks (manifest code ManifestRowInvalid). */
  problems?: Problem[];
}

export interface StagingSlice {
  /** ffprobe's progress over the files added last ("checking 140 of 2,000"); null when idle. */
  probing: { done: number; total: number } | null;
  staged: StagedFile[];
  /** Paths of the staged files the edit panel applies to. */
  stagedSelection: Set<string>;
  rejected: SkippedFile[];
  scanning: boolean;
  submitting: boolean;
}

export interface QueueSlice {
  tab: QueueTab;
  search: string;
  sort: JobSortKey;
  descending: boolean;
  /** Rows fetched from queryJobs, by page index, for the current tab/search/sort. */
  pages: Record<number, JobView[]>;
  /** Row count of the current query (from the last page fetched). */
  total: number;
  totals: QueueTotals | null;
  selection: Set<number>;
  /**
   * Every row of the current view (tab and search) is selected, loaded or not: commands
   * go to the engine as { tab, search }, which finds the jobs itself. `selection` is
   * empty meanwhile.
   */
  selectAll: boolean;
  /** Anchor of shift-click range selection (row index in the current query). */
  selectionAnchor: number | null;
  /** The job whose details drawer is open. */
  detailsJobId: number | null;
  /** Bumped whenever the open job changes in the engine, so the drawer re-reads it. */
  detailsVersion: number;
}

/** The Library view's filters as the form holds them (dates as yyyy-mm-dd, '' for any). */
export interface LibraryFilters {
  title: string;
  cateId?: number;
  tags: string[];
  statuses: string[];
  createdFrom: string;
  createdTo: string;
  storageLocation: string;
  appId: string;
  sort: 'CreationTime:Desc' | 'CreationTime:Asc';
}

/** A bulk operation's outcome for one video, as the results list shows it. */
export interface LibraryResultRow {
  videoId: string;
  title: string;
  ok: boolean;
  code?: string;
  message?: string;
  /** Refused before sending: the value breaks VOD's rules (shared/validation). */
  problem?: Problem;
  /** A bulk edit's new title, shown beside the old one. */
  newTitle?: string;
  /** The request went out and its answer was lost: VOD may have done it. */
  outcomeUnknown?: boolean;
}

export type LibraryOperation = 'edit' | 'delete' | 'deleteSource' | 'transcode';
export type LibraryDialog = 'edit' | 'delete' | 'transcode' | 'download' | 'urls';

export interface LibrarySlice {
  libraryFilters: LibraryFilters;
  /**
   * The rows loaded so far, in order: SearchMedia pages by cursor (a page number, then a
   * ScrollToken), so rows arrive one page after another as the list scrolls.
   */
  libraryRows: LibraryVideo[];
  libraryTotal: number;
  /** The cursor of the next page; undefined when all are loaded. */
  libraryNext: string | undefined;
  libraryLoading: boolean;
  /** Set once a search answered (the empty state means "none match", not "not asked yet"). */
  librarySearched: boolean;
  libraryError: string | null;
  librarySelection: Set<string>;
  /** Every video matching the filters is selected, loaded or not (resolved by paging on use). */
  librarySelectAll: boolean;
  librarySelectionAnchor: number | null;
  libraryDetailsId: string | null;
  libraryDialog: LibraryDialog | null;
  /** Resolving "all matching" before an operation: pages loaded of how many videos. */
  libraryResolving: { loaded: number; total: number } | null;
  libraryBusy: boolean;
  libraryResults: { operation: LibraryOperation; rows: LibraryResultRow[] } | null;
}

export interface SettingsSlice {
  settings: EngineSettings | null;
  settingsSaving: boolean;
  settingsSavedAt: number | null;
}

export interface Notice {
  id: number;
  kind: 'info' | 'error';
  /** Literal text (e.g. a message from the service) … */
  text?: string;
  /** … or an i18n key rendered in the current language. */
  key?: string;
  params?: Record<string, unknown>;
}

export interface UiSlice {
  view: View;
  language: Language;
  appInfo: AppInfo | null;
  notices: Notice[];
  /** The server-side browser (web mode): adding media, or picking one cover image. */
  folderBrowser: FolderBrowserMode | null;
  /** Web mode's socket; Electron's IPC is always 'connected'. */
  connection: BridgeConnectionState;
}

export type AppState = ProfilesSlice & CatalogSlice & StagingSlice & QueueSlice & LibrarySlice & SettingsSlice & UiSlice;

export const EMPTY_LIBRARY_FILTERS: LibraryFilters = {
  title: '', tags: [], statuses: [], createdFrom: '', createdTo: '', storageLocation: '', appId: '', sort: 'CreationTime:Desc',
};

export const useApp = create<AppState>()(() => ({
  profiles: [],
  activeProfileId: null,
  profilesLoaded: false,
  tests: {},

  catalog: null,
  catalogLoading: false,
  catalogError: null,
  catalogErrorCode: null,

  staged: [],
  stagedSelection: new Set(),
  rejected: [],
  probing: null,
  scanning: false,
  submitting: false,

  tab: 'active',
  search: '',
  sort: 'id',
  descending: false,
  pages: {},
  total: 0,
  totals: null,
  selection: new Set(),
  selectAll: false,
  selectionAnchor: null,
  detailsJobId: null,
  detailsVersion: 0,

  libraryFilters: EMPTY_LIBRARY_FILTERS,
  libraryRows: [],
  libraryTotal: 0,
  libraryNext: undefined,
  libraryLoading: false,
  librarySearched: false,
  libraryError: null,
  librarySelection: new Set(),
  librarySelectAll: false,
  librarySelectionAnchor: null,
  libraryDetailsId: null,
  libraryDialog: null,
  libraryResolving: null,
  libraryBusy: false,
  libraryResults: null,

  settings: null,
  settingsSaving: false,
  settingsSavedAt: null,

  view: 'upload',
  language: 'en',
  appInfo: null,
  notices: [],
  folderBrowser: null,
  connection: 'connected',
}));

export const getState = useApp.getState;
export const setState = useApp.setState;
