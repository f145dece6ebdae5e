// Seeding the ledger of a fresh machine from VOD (`vodup ledger seed <files…>`): which of
// these local files does the account already have? A file is recorded only when VOD
// proves it has exactly these bytes:
//   1. SearchMedia by the title the file would get (its name), videos of the same Size
//      (Video.Size: "the size of the source file", alibabacloud.com/help/doc-detail/52839.htm);
//   2. GetMezzanineInfo → the source file's FileURL (api-getmezzanineinfo);
//   3. a HEAD of that URL → the object's x-oss-hash-crc64ecma (OSS keeps a CRC-64/ECMA of
//      every object and returns it on GetObject/HeadObject), equal to the file's own CRC-64.
// Title and size alone are no proof (two cuts of one show share both), so a candidate
// whose CRC-64 cannot be read (a CDN domain that drops the header, a refused URL) is
// reported as unverified and not recorded. A title renamed in VOD is not found: such
// files are reported as not found, never guessed.

import { requestHead } from './net/request';
import type { ProviderCredentials } from './provider';
import { classifyError } from './errors';
import { fingerprint } from './fingerprint';
import { isHlsPlaylist } from './hls';
import { fileCrc64 } from './oss/hash-stream';
import { crc64ToDecimal } from './oss/crc64';
import type { LedgerRepository } from './store/ledger';
import { ledgerAccount } from './store/ledger';
import { VodClient } from './vod/vod-client';
import { titleFromFileName } from '../../shared/validation';

export type SeedOutcome =
  | { path: string; outcome: 'seeded'; videoId: string; title: string }
  /** Already in the ledger for this account. */
  | { path: string; outcome: 'known'; videoId: string }
  | { path: string; outcome: 'not-found' }
  /** Videos of that title and size exist, but none could be shown to hold these bytes. */
  | { path: string; outcome: 'unverified'; candidates: string[]; why: string }
  | { path: string; outcome: 'error'; message: string };

/** What seeding asks of VOD; VodClient in use, a stand-in where a test needs one. */
export interface SeedSource {
  videosTitled(title: string): Promise<{ videoId: string; size?: number; status: string; createdAt: number }[]>;
  /** The source object's CRC-64 (unsigned decimal), or why it cannot be read. */
  sourceCrc64(videoId: string): Promise<{ crc64: string } | { why: string }>;
}

export function vodSeedSource(creds: ProviderCredentials): SeedSource {
  const client = new VodClient({ credentials: creds });
  return {
    async videosTitled(title) {
      const found = await client.searchVideosByTitle(title);
      return found.map((v) => ({
        videoId: v.VideoId, status: v.Status, createdAt: Date.parse(v.CreationTime),
        size: (v as { Size?: number }).Size,
      }));
    },
    async sourceCrc64(videoId) {
      const info = await client.getMezzanineInfo(videoId);
      const url = info.Mezzanine?.FileURL;
      if (!url) return { why: 'VOD gave no source file URL' };
      // Through the proxy setting, as every other request (fetch would not honour it).
      const res = await requestHead(url);
      if (res.status < 200 || res.status > 299) return { why: `the source file URL answered HTTP ${res.status}` };
      const crc = res.headers['x-oss-hash-crc64ecma'];
      if (Array.isArray(crc)) return { why: 'the source file URL gave more than one CRC-64' };
      return crc && /^\d+$/.test(crc) ? { crc64: crc } : { why: 'the source file URL gave no CRC-64 (x-oss-hash-crc64ecma)' };
    },
  };
}

/** Statuses of a video whose source never fully arrived: not proof of anything. */
const UNFINISHED = new Set(['Uploading', 'UploadFail']);

export async function seedLedger(
  ledger: LedgerRepository,
  creds: ProviderCredentials,
  paths: readonly string[],
  source: SeedSource = vodSeedSource(creds),
): Promise<SeedOutcome[]> {
  const account = ledgerAccount(creds);
  const out: SeedOutcome[] = [];
  for (const p of paths) {
    try {
      if (isHlsPlaylist(p)) {
        // A package's object is its playlist; its size in VOD is not the package's.
        out.push({ path: p, outcome: 'error', message: 'HLS packages are not seeded: their source in VOD is the playlist alone.' });
        continue;
      }
      const print = await fingerprint(p);
      const [known] = ledger.find(account, print.size, print.sampleHash);
      if (known) {
        out.push({ path: p, outcome: 'known', videoId: known.videoId });
        continue;
      }
      const title = titleFromFileName(p);
      const candidates = (await source.videosTitled(title)).filter((v) => v.size === print.size && !UNFINISHED.has(v.status));
      if (candidates.length === 0) {
        out.push({ path: p, outcome: 'not-found' });
        continue;
      }
      const crc = crc64ToDecimal(await fileCrc64(p));
      let match: (typeof candidates)[number] | undefined;
      const whys: string[] = [];
      for (const c of candidates) {
        const got = await source.sourceCrc64(c.videoId);
        if ('crc64' in got) {
          if (got.crc64 === crc) {
            match = c;
            break;
          }
          whys.push(`${c.videoId}: other bytes`);
        } else {
          whys.push(`${c.videoId}: ${got.why}`);
        }
      }
      if (!match) {
        out.push({ path: p, outcome: 'unverified', candidates: candidates.map((c) => c.videoId), why: whys.join('; ') });
        continue;
      }
      ledger.record({
        account, size: print.size, sampleHash: print.sampleHash, mtimeMs: print.mtimeMs, crc64: crc,
        videoId: match.videoId, title, path: p, ...(Number.isFinite(match.createdAt) ? { uploadedAt: match.createdAt } : {}),
      });
      out.push({ path: p, outcome: 'seeded', videoId: match.videoId, title });
    } catch (err) {
      out.push({ path: p, outcome: 'error', message: classifyError(err).message });
    }
  }
  return out;
}
