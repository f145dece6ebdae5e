// Enqueuing downloads (engine.addDownloads): the items of each video are listed now with
// the provider's mediaUrls (which item keys exist, their names, sizes, MD5s), and one
// job is added per item, in one transaction. Only keys and metadata are stored, never a
// URL: the driver resolves the item again just before it fetches (URLs expire).

import fs from 'node:fs';
import path from 'node:path';
import type { DownloadRequest, MediaUrl } from '../../../shared/library';
import type { RejectedFile } from '../../../shared/types';
import { classifyError } from '../errors';
import type { MediaLibraryPort } from '../library/port';
import type { QueueStore } from '../store';
import type { NewJobRecord } from '../store/records';
import { freeName, renderName, TEMP_SUFFIX } from './file-names';

/** Videos whose items are listed at once while enqueuing (each is one or two VOD calls). */
const LIST_CONCURRENCY = 4;

export interface EnqueueResult {
  added: number[];
  existing: number[];
  rejected: RejectedFile[];
}

export async function enqueueDownloads(
  store: QueueStore,
  lib: MediaLibraryPort,
  req: DownloadRequest,
  opts: { hold?: boolean } = {},
): Promise<EnqueueResult> {
  const outDir = path.resolve(req.outDir);
  const rejected: RejectedFile[] = [];
  const st = fs.statSync(outDir, { throwIfNoEntry: false });
  if (st && !st.isDirectory()) {
    return { added: [], existing: [], rejected: [{ path: outDir, reason: `${outDir} is a file, not a folder to download into.` }] };
  }
  const videoIds = [...new Set(req.videoIds.map((v) => v.trim()).filter(Boolean))];
  const listed = new Map<string, MediaUrl[]>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < videoIds.length) {
      const videoId = videoIds[next++];
      try {
        const items = await lib.mediaUrls(videoId, req.what);
        if (items.length === 0) rejected.push({ path: videoId, reason: `${videoId} has none of the items asked for.`, code: 'NothingToDownload' });
        else listed.set(videoId, items);
      } catch (err) {
        const e = classifyError(err);
        rejected.push({ path: videoId, reason: `${videoId}: ${e.code}: ${e.message}`, code: e.code });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(LIST_CONCURRENCY, videoIds.length) }, worker));

  // The video's own details go into each sidecar (title, description, tags…), when asked.
  const details = req.sidecar && listed.size > 0 && typeof lib.getVideoDetails === 'function'
    ? await lib.getVideoDetails([...listed.keys()]).catch(() => new Map())
    : new Map();

  const existing: number[] = [];
  const planned: { job: NewJobRecord; item: MediaUrl; finalPath: string }[] = [];
  const reserved = new Set<string>();
  for (const videoId of videoIds) {
    for (const item of listed.get(videoId) ?? []) {
      const have = store.downloads.findItem(videoId, item.key, outDir);
      if (have !== undefined) {
        existing.push(have);
        continue;
      }
      // Another job's name, or one given earlier in this request, is not reused; a file
      // already on disk is looked at when the job starts (the same file counts as done).
      const finalPath = freeName(outDir, renderName(req.nameTemplate, item), (p) => reserved.has(p) || store.downloads.pathTaken(p));
      reserved.add(finalPath);
      planned.push({
        item,
        finalPath,
        job: {
          kind: 'download',
          videoId,
          path: finalPath,
          fileName: path.basename(finalPath),
          size: item.size ?? 0,
          mtimeMs: 0,
          meta: { title: item.title || videoId, tags: [] },
          profileId: req.profileId,
          state: opts.hold ? 'paused' : 'queued',
        },
      });
    }
  }
  const added = store.downloads.transaction(() => {
    const ids = planned.length > 0 ? store.insertJobs(planned.map((p) => p.job)) : [];
    ids.forEach((jobId, i) => {
      const { item, finalPath } = planned[i];
      const video = details.get(item.videoId);
      store.downloads.insert({
        jobId,
        videoId: item.videoId,
        itemKey: item.key,
        what: req.what,
        outDir,
        nameTemplate: req.nameTemplate,
        tempPath: finalPath + TEMP_SUFFIX,
        sidecar: !!req.sidecar,
        definition: item.definition,
        format: item.format,
        info: {
          videoId: item.videoId, title: item.title, item: item.key, kind: item.kind,
          ...(item.definition ? { definition: item.definition } : {}),
          ...(item.format ? { format: item.format } : {}),
          ...(item.md5 ? { md5: item.md5 } : {}),
          ...(item.fileName ? { sourceFileName: item.fileName } : {}),
          ...(video ? { video } : {}),
        },
      });
      store.appendEvent(jobId, 'download-enqueued', { videoId: item.videoId, item: item.key, size: item.size ?? null });
    });
    return ids;
  });
  return { added, existing, rejected };
}
