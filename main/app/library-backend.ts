// The media library behind the app's calls (docs/ARCHITECTURE.md §4, "The media library
// calls"): LibraryService for search, details and bulk fixes, the URL list writer for
// exports, and the engine for downloads, each on one profile's provider.

import { Writable } from 'stream';
import type { AddDownloadsReply, ExportedUrls } from '../../shared/ipc';
import type { DownloadRequest, DownloadWhat } from '../../shared/library';
import type { UploadEngineApi } from '../engine/api';
import { LibraryService, type LibraryProvider } from '../engine/library/library-service';
import type { MediaLibraryPort } from '../engine/library/port';
import { writeUrlList } from '../engine/library/url-export';
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

/**
 * The URL list of the selection (`vodup urls`' writer: selection order, one error row per
 * video it could not resolve), held as text for the renderer to save like exportResults.
 */
async function exportUrls(provider: VideoProvider, videoIds: string[], what: DownloadWhat, format: 'csv' | 'json'): Promise<ExportedUrls> {
  const port = provider as unknown as Partial<MediaLibraryPort>;
  if (typeof port.mediaUrls !== 'function') {
    throw new IpcError('LibraryUnsupported', 'This account\'s provider cannot list media URLs, so none can be exported.');
  }
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
      done();
    },
  });
  const summary = await writeUrlList({ mediaUrls: port.mediaUrls.bind(port) }, videoIds, { what, format }, sink);
  return { fileName: urlListFileName(format), content: chunks.join(''), count: summary.urls };
}

/** Named like the results export: `vod-urls-<local time>.<format>`. */
export function urlListFileName(format: 'csv' | 'json', now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `vod-urls-${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}.${format}`;
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
    exportUrls: (profileId, videoIds, what, format) => exportUrls(deps.providerFor(profileId), videoIds, what, format),
    addDownloads: async (profileId: string, req: DownloadRequest): Promise<AddDownloadsReply> => {
      const res = await deps.engine.addDownloads({ ...req, profileId });
      return { added: res.added.length, existing: res.existing.length, rejected: res.rejected };
    },
  };
}
