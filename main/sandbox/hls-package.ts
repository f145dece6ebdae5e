// What the sandbox's VOD does when the playlist of an HLS upload arrives (its FileName
// object completes): the video is uploaded, and processing reads the files the playlist
// lists from under ObjectPrefix. The real service's reaction to a missing segment is not
// documented; a transcode that cannot read its input fails, so the sandbox records the
// files that were missing when the playlist arrived and answers TranscodeFail for the
// video (core.ts videoStatus). That is also what makes "segments first, playlist last"
// observable to tests.
import path from 'path';
import { parsePlaylist } from '../engine/hls';
import type { SandboxCore } from './core';
import type { ObjectRecord } from './state';

const MAX_PLAYLIST_BYTES = 16 * 1024 * 1024;

async function readText(core: SandboxCore, obj: ObjectRecord): Promise<string | undefined> {
  if (obj.size === 0) return '';
  if (obj.size > MAX_PLAYLIST_BYTES) return undefined;
  const stream = core.store.read(obj.segments ?? [], 0, obj.size - 1);
  if (!stream) return undefined; // the null store keeps no bytes: nothing to check
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Keys (relative to the playlist's folder) that the playlist, and the playlists it
 * lists, refer to and that do not exist in the bucket. URIs with a scheme or an
 * absolute path are not looked up (VOD would fetch or fail on them by itself).
 */
export async function missingHlsFiles(core: SandboxCore, playlist: ObjectRecord): Promise<string[]> {
  const folder = path.posix.dirname(playlist.key);
  const missing: string[] = [];
  const read = new Set([playlist.key]);
  const queue: ObjectRecord[] = [playlist];
  while (queue.length > 0) {
    const obj = queue.shift()!;
    const text = await readText(core, obj);
    if (text === undefined) continue;
    for (const ref of parsePlaylist(text).references) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(ref.uri) || ref.uri.startsWith('/')) continue;
      let rel = ref.uri.replace(/[?#].*$/, '');
      try {
        rel = decodeURIComponent(rel);
      } catch {
        // taken as written
      }
      const key = path.posix.normalize(path.posix.join(path.posix.dirname(obj.key), rel.replace(/\\/g, '/')));
      const found = core.getObject(playlist.bucket, key);
      const shown = path.posix.relative(folder, key);
      if (!found) {
        if (!missing.includes(shown)) missing.push(shown);
      } else if (ref.kind === 'playlist' && !read.has(key)) {
        read.add(key);
        queue.push(found);
      }
    }
  }
  return missing;
}
