// The media library behind the app's calls (docs/ARCHITECTURE.md §4, "The media library
// calls"): LibraryService for search, details and bulk fixes, the URL list writer for
// exports, and the engine for downloads, each on one profile's provider.

import type { AddDownloadsReply, ExportedUrls } from '../../shared/ipc';
import type { DownloadRequest, DownloadWhat } from '../../shared/library';
import type { UploadEngineApi } from '../engine/api';
import { LibraryService, type LibraryProvider } from '../engine/library/library-service';
import type { VideoProvider } from '../engine/provider';
import type { LibraryBackend } from './controller';
import { IpcError } from './ipc-error';

export interface LibraryBackendDeps {
  /** The per-profile stand-in (main/app/providers.ts): it forwards the provider class's library methods too. */
  providerFor(profileId: string): VideoProvider;
  /** The queue job that uploaded each VideoId (QueueStore.jobIdsForVideos). */
  jobIdsForVideos(videoIds: readonly string[]): Map<string, number>;
  engine: Pick<UploadEngineApi, 'addDownloads'>;
}

/** The provider's library side, or a clear refusal when its cloud has none. */
function libraryOf(provider: VideoProvider): LibraryProvider {
  const p = provider as unknown as Partial<LibraryProvider>;
  if (typeof p.searchVideos !== 'function' || typeof p.getVideoDetails !== 'function') {
    throw new IpcError('LibraryUnsupported', 'This account\'s provider cannot search its videos, so the Library is not available for it.');
  }
  return p as LibraryProvider;
}

export function createLibraryBackend(deps: LibraryBackendDeps): LibraryBackend {
  const service = new LibraryService({
    providerFor: (profileId) => {
      if (!profileId) throw new IpcError('NoActiveProfile', 'No profile is selected.');
      return libraryOf(deps.providerFor(profileId));
    },
    jobIdsForVideos: (ids) => deps.jobIdsForVideos(ids),
  });
  return {
    search: (profileId, query) => service.search(query, profileId),
    details: async (profileId, videoIds) => {
      const found = await service.details(videoIds, profileId);
      return videoIds.map((id) => found.get(id)).filter((d) => d !== undefined);
    },
    edit: (profileId, patches) => service.edit(patches, profileId),
    delete: (profileId, videoIds, opts) => service.delete(videoIds, opts, profileId),
    transcode: (profileId, videoIds, templateGroupId) => service.transcode(videoIds, templateGroupId, profileId),
    exportUrls: (profileId: string, videoIds: string[], what: DownloadWhat, format: 'csv' | 'json'): Promise<ExportedUrls> => {
      void profileId; void videoIds; void what; void format;
      throw new IpcError('NotAvailable', 'URL export is not wired in this build.');
    },
    addDownloads: async (profileId: string, req: DownloadRequest): Promise<AddDownloadsReply> => {
      const res = await deps.engine.addDownloads({ ...req, profileId });
      return { added: res.added.length, existing: res.existing.length, rejected: res.rejected };
    },
  };
}
