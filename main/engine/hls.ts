// HLS packages: a playlist (.m3u8) and the files it lists. VOD takes a package as one
// video: CreateUploadVideo with the playlist's FileName answers an UploadAddress whose
// ObjectPrefix is where the listed files go; the official upload SDKs put every file
// there first and the playlist (FileName) last (voduploadsdk AliyunVodUploader.
// uploadLocalM3u8; the C SDK's uploadLocalM3u8 puts them in the FileName's folder).
//
// What we read (RFC 8216): URI lines (media segments, or variant playlists after
// #EXT-X-STREAM-INF), and the URI attribute of #EXT-X-MAP (init sections), #EXT-X-KEY
// and #EXT-X-SESSION-KEY (key files), #EXT-X-MEDIA and #EXT-X-I-FRAME-STREAM-INF
// (rendition playlists), #EXT-X-PART (partial segments) and #EXT-X-SESSION-DATA (JSON).
// Referenced playlists are read in turn, their URIs relative to themselves.
// #EXT-X-PRELOAD-HINT and #EXT-X-RENDITION-REPORT belong to live playlists: not files.
//
// Decisions:
//  - Files keep their path relative to the top playlist's folder ("v1/seg001.ts" goes
//    to ObjectPrefix + "v1/seg001.ts"). ObjectPrefix is the folder of FileName, so the
//    playlist, uploaded unchanged, resolves every URI to the object uploaded for it, and
//    two variants' "seg001.ts" do not overwrite each other. (The SDKs flatten to the
//    base name and rewrite the playlist; uploading it byte for byte keeps its CRC-64
//    verifiable against the file.)
//  - A URI with a scheme (http:, https:, file:, data:…) or an absolute path is refused
//    for segments, init sections and playlists: VOD serves the package from its own
//    storage, so such a file would be missing there (the Python SDK's uploadLocalM3u8
//    says the same: segment entries must be relative, no URL, no absolute local path).
//    Key URIs with a scheme are left alone: they name a key server the player asks,
//    not a file of the package.
//  - A URI leading out of the top playlist's folder ("../x.ts") is refused: its object
//    would land outside ObjectPrefix, where the upload credential does not reach.

import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { extensionOf } from '../../shared/validation';
import { EngineError } from './errors';

export type HlsFileKind = 'segment' | 'playlist' | 'key' | 'map' | 'part' | 'data';

export interface HlsReference {
  uri: string;
  kind: HlsFileKind;
  /** 1-based line of the playlist where the URI stands. */
  line: number;
}

export interface ParsedPlaylist {
  /** Whether the text starts with #EXTM3U, as every playlist must. */
  isPlaylist: boolean;
  references: HlsReference[];
}

export interface HlsFile {
  /** Path relative to the top playlist's folder, with "/" separators: the part after ObjectPrefix. */
  relPath: string;
  absPath: string;
  kind: HlsFileKind;
  size: number;
  mtimeMs: number;
}

export interface HlsPackage {
  playlistPath: string;
  playlistSize: number;
  playlistMtimeMs: number;
  /** Every file the playlist (and the playlists it lists) refers to, once each, in the order first listed. */
  files: HlsFile[];
  /** Playlist and files together: the job's size. */
  totalSize: number;
}

/** The one extension VOD takes for HLS (shared/limits VIDEO_EXTENSIONS). */
export function isHlsPlaylist(fileName: string): boolean {
  return extensionOf(fileName) === 'm3u8';
}

/** A playlist is text; one this big is something else with the wrong name. */
const MAX_PLAYLIST_BYTES = 16 * 1024 * 1024;

const TAG_URI_KIND: Record<string, HlsFileKind> = {
  'EXT-X-MAP': 'map',
  'EXT-X-KEY': 'key',
  'EXT-X-SESSION-KEY': 'key',
  'EXT-X-MEDIA': 'playlist',
  'EXT-X-I-FRAME-STREAM-INF': 'playlist',
  'EXT-X-PART': 'part',
  'EXT-X-SESSION-DATA': 'data',
};

/** NAME=VALUE pairs of an attribute list; quoted values may hold commas. */
function attributes(list: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of list.matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)) {
    const v = m[2];
    out.set(m[1], v.startsWith('"') && v.endsWith('"') && v.length >= 2 ? v.slice(1, -1) : v);
  }
  return out;
}

/** The URIs a playlist refers to, in order. Pure: no file is read. */
export function parsePlaylist(text: string): ParsedPlaylist {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const first = lines.find((l) => l.trim() !== '');
  const references: HlsReference[] = [];
  let variantNext = false;
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    if (line.startsWith('#')) {
      if (!line.startsWith('#EXT')) return; // a comment
      const colon = line.indexOf(':');
      const tag = line.slice(1, colon < 0 ? undefined : colon);
      if (tag === 'EXT-X-STREAM-INF') {
        variantNext = true;
        return;
      }
      const kind = TAG_URI_KIND[tag];
      if (!kind || colon < 0) return;
      const attrs = attributes(line.slice(colon + 1));
      const uri = attrs.get('URI');
      if (uri === undefined || uri === '') return;
      if (kind === 'key' && attrs.get('METHOD') === 'NONE') return;
      references.push({ uri, kind, line: i + 1 });
      return;
    }
    references.push({ uri: line, kind: variantNext ? 'playlist' : 'segment', line: i + 1 });
    variantNext = false;
  });
  return { isPlaylist: first?.trim() === '#EXTM3U', references };
}

function packageError(code: string, message: string, hint: string): EngineError {
  return new EngineError({ kind: 'file', code, retryable: false, message, hint });
}

/**
 * A file of the package that is not what it was when the upload started. Not retryable:
 * a retry meets the same files; a restart (retry with restartChanged) plans the package
 * again as it is now under the same VideoId (hls-upload.ts restartHlsPackage).
 */
export function hlsFileChanged(playlistPath: string, file: string, why: string, jobId: number): EngineError {
  return new EngineError({
    kind: 'file', code: 'FileChanged', retryable: false,
    message: `${file} (part of the HLS package ${path.basename(playlistPath)}): ${why} since the upload started.`,
    hint: 'Uploading the rest would mix two versions of the package, so the playlist (which completes the video) was not sent; the video stays unfinished in VOD. '
      + `To upload the package as it is now under the same VideoId (only changed files go again), restart the job (\`vodup retry --restart ${jobId}\`, or "Upload new version" in the app; `
      + 'a watched folder does this by itself once the files stop changing). Restore the original files and retry to finish the original instead.',
  });
}

interface Resolved {
  relPath: string;
  absPath: string;
}

const WITH_SCHEME = /^[a-z][a-z0-9+.-]*:/i;
const WINDOWS_ABSOLUTE = /^[a-z]:[\\/]/i;

/**
 * Where a URI of the playlist at `fromRel` points, relative to the top folder `root`;
 * 'external' for a key on a key server; an error for what cannot be part of the package.
 */
function resolveReference(root: string, topName: string, fromRel: string, ref: HlsReference): Resolved | 'external' {
  const where = `${fromRel === topName ? topName : `${fromRel} (listed by ${topName})`} line ${ref.line}`;
  const absolute = WINDOWS_ABSOLUTE.test(ref.uri) || ref.uri.startsWith('/') || ref.uri.startsWith('\\');
  if (!absolute && WITH_SCHEME.test(ref.uri)) {
    if (ref.kind === 'key' || ref.kind === 'data') return 'external';
    throw packageError('HlsExternalUri',
      `${where} refers to "${ref.uri}", which is not a file beside the playlist; VOD can only serve files uploaded with it.`,
      'Download the segments next to the playlist, make its URIs relative (e.g. "seg001.ts"), and add the playlist again.');
  }
  if (absolute) {
    throw packageError('HlsAbsolutePath',
      `${where} refers to "${ref.uri}" by an absolute path; in VOD the playlist can only reach files by paths relative to itself.`,
      'Make the URIs in the playlist relative to its folder (e.g. "seg001.ts" or "720p/seg001.ts") and add it again.');
  }
  let p = ref.uri.replace(/[?#].*$/, '');
  try {
    p = decodeURIComponent(p);
  } catch {
    // Not percent-encoded after all: the name is taken as written.
  }
  p = p.replace(/\\/g, '/');
  const rel = path.posix.normalize(path.posix.join(path.posix.dirname(fromRel), p));
  if (rel === '..' || rel.startsWith('../') || rel === '.' || rel.endsWith('/')) {
    throw packageError('HlsOutsideFolder',
      `${where} refers to "${ref.uri}", which is outside the playlist's folder; VOD keeps a package under one folder.`,
      'Move the files into the playlist\'s folder (or a sub-folder of it), fix the URIs, and add the playlist again.');
  }
  return { relPath: rel, absPath: path.join(root, ...rel.split('/')) };
}

async function readPlaylistText(absPath: string, shownAs: string): Promise<string> {
  const st = await fsp.stat(absPath);
  if (st.size > MAX_PLAYLIST_BYTES) {
    throw packageError('HlsNotPlaylist', `${shownAs} is ${st.size} bytes: too big for an HLS playlist.`, 'Check that the file really is an .m3u8 playlist.');
  }
  const text = await fsp.readFile(absPath, 'utf8');
  if (!parsePlaylist(text).isPlaylist) {
    throw packageError('HlsNotPlaylist', `${shownAs} is not an HLS playlist: its first line is not #EXTM3U.`, 'Check that the file really is an .m3u8 playlist (a text file starting with #EXTM3U).');
  }
  return text;
}

function describeMissing(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'is missing';
  if (code === 'EACCES' || code === 'EPERM') return 'cannot be read (permission denied)';
  if (code === 'EISDIR') return 'is a folder, not a file';
  return `cannot be read (${code ?? (err as Error).message})`;
}

export interface PackageWalk {
  files: HlsFile[];
  /** Paths the playlists refer to that resolve to a file here, present or not. */
  referenced: string[];
  /** Those of `referenced` that are playlists (read in turn when present): what the answer depends on besides the top playlist. */
  playlists: string[];
}

/**
 * Reads the playlist and every playlist it lists. With `tolerant`, problems are
 * skipped (a folder scan only wants to know which files belong to a playlist);
 * without, the first one is thrown, naming the file and the playlist line.
 */
async function walkPackage(playlistPath: string, tolerant: boolean): Promise<PackageWalk & { playlist: { size: number; mtimeMs: number } }> {
  const root = path.dirname(playlistPath);
  const topName = path.basename(playlistPath);
  const topStat = await fsp.stat(playlistPath);
  const files = new Map<string, HlsFile>();
  const referenced = new Set<string>();
  const playlists = new Set<string>();
  const read = new Set<string>([topName]);
  const queue: { rel: string; abs: string; text: string }[] = [
    { rel: topName, abs: playlistPath, text: await readPlaylistText(playlistPath, topName) },
  ];
  while (queue.length > 0) {
    const current = queue.shift()!;
    for (const ref of parsePlaylist(current.text).references) {
      let target: Resolved | 'external';
      try {
        target = resolveReference(root, topName, current.rel, ref);
      } catch (err) {
        if (tolerant) continue;
        throw err;
      }
      if (target === 'external') continue;
      referenced.add(target.absPath);
      const isList = ref.kind === 'playlist' || ['m3u8', 'm3u'].includes(extensionOf(target.relPath));
      if (isList) playlists.add(target.absPath);
      if (files.has(target.relPath)) continue;
      let size: number;
      let mtimeMs: number;
      try {
        const st = await fsp.stat(target.absPath);
        if (!st.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
        size = st.size;
        mtimeMs = Math.floor(st.mtimeMs);
      } catch (err) {
        if (tolerant) continue;
        const listedBy = current.rel === topName ? topName : `${current.rel} (listed by ${topName})`;
        throw packageError('HlsFileMissing',
          `The ${ref.kind === 'segment' ? 'segment' : `${ref.kind} file`} "${ref.uri}" listed by ${listedBy} line ${ref.line} ${describeMissing(err)}: ${target.absPath}.`,
          'Put the missing file back beside the playlist (or fix the playlist), then add it again.');
      }
      files.set(target.relPath, { relPath: target.relPath, absPath: target.absPath, kind: isList ? 'playlist' : ref.kind, size, mtimeMs });
      if (isList && !read.has(target.relPath)) {
        read.add(target.relPath);
        try {
          queue.push({ rel: target.relPath, abs: target.absPath, text: await readPlaylistText(target.absPath, `${target.relPath} (listed by ${topName})`) });
        } catch (err) {
          if (!tolerant) throw err;
        }
      }
    }
  }
  return {
    files: [...files.values()], referenced: [...referenced], playlists: [...playlists],
    playlist: { size: topStat.size, mtimeMs: Math.floor(topStat.mtimeMs) },
  };
}

/**
 * The package of a playlist, every listed file present. Refused (EngineError, kind
 * 'file', not retryable) with the file and line named: a missing file, a URI outside
 * the folder or with a scheme, a playlist that lists nothing.
 */
export async function readHlsPackage(playlistPath: string): Promise<HlsPackage> {
  const walk = await walkPackage(playlistPath, false);
  if (walk.files.length === 0) {
    throw packageError('HlsEmpty', `${path.basename(playlistPath)} lists no segments: there is nothing to play.`,
      'Add the playlist that lists the segments (a media or master playlist), not an empty one.');
  }
  return {
    playlistPath,
    playlistSize: walk.playlist.size,
    playlistMtimeMs: walk.playlist.mtimeMs,
    files: walk.files,
    totalSize: walk.files.reduce((n, f) => n + f.size, walk.playlist.size),
  };
}

/**
 * The absolute paths a playlist (and the playlists it lists) refers to, present or not,
 * and which of them are playlists; problems ignored.
 */
export async function packageReferences(playlistPath: string): Promise<Pick<PackageWalk, 'referenced' | 'playlists'>> {
  try {
    const { referenced, playlists } = await walkPackage(playlistPath, true);
    return { referenced, playlists };
  } catch {
    return { referenced: [], playlists: [] }; // unreadable or not a playlist: it claims no files
  }
}

/** The absolute paths a playlist (and the playlists it lists) refers to; problems ignored. */
export async function filesReferencedBy(playlistPath: string): Promise<string[]> {
  return (await packageReferences(playlistPath)).referenced;
}

/**
 * Splits files found together (a folder scan) into what becomes a job and what belongs
 * to a playlist among them: a segment of a package is uploaded with its playlist, never
 * as a video of its own. `segmentOf` maps each dropped path to its playlist's path.
 * `referencedBy` reads a playlist's references (a drop folder passes a cached reader).
 */
export async function separateHlsSegments(
  paths: readonly string[],
  referencedBy: (playlistPath: string) => Promise<readonly string[]> = filesReferencedBy,
): Promise<{ keep: string[]; segmentOf: Map<string, string> }> {
  const present = new Set(paths);
  const segmentOf = new Map<string, string>();
  for (const p of paths) {
    if (!isHlsPlaylist(p)) continue;
    for (const ref of await referencedBy(p)) {
      if (ref !== p && present.has(ref) && !segmentOf.has(ref)) segmentOf.set(ref, p);
    }
  }
  // A variant playlist listed by a master goes with the master, and its segments with
  // it. Playlists that list each other in a circle: the first one found stays a job.
  const order = new Map(paths.map((p, i) => [p, i]));
  const ownerOf = (p: string): string => {
    const chain = [p];
    let owner = segmentOf.get(p) as string;
    while (segmentOf.has(owner)) {
      if (chain.includes(owner)) {
        const cycle = chain.slice(chain.indexOf(owner));
        const keeper = cycle.reduce((a, b) => ((order.get(a) ?? 0) <= (order.get(b) ?? 0) ? a : b));
        segmentOf.delete(keeper);
        return keeper === p ? p : ownerOf(p);
      }
      chain.push(owner);
      owner = segmentOf.get(owner) as string;
    }
    return owner;
  };
  for (const p of [...segmentOf.keys()]) {
    if (!segmentOf.has(p)) continue;
    const owner = ownerOf(p);
    if (owner !== p) segmentOf.set(p, owner);
  }
  return { keep: paths.filter((p) => !segmentOf.has(p)), segmentOf };
}

/** The reason shown for a file dropped by separateHlsSegments; `where` says where the playlist is listed ("row 3"). */
export function segmentSkipReason(playlistPath: string, where?: string): string {
  return `Segment of ${path.basename(playlistPath)}${where ? ` (${where})` : ''}: it is uploaded with that playlist, not as a video of its own.`;
}
