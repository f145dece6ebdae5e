// The two soaks: the full one (`npm run soak`, 25 kills) and the short one CI runs
// (test/integration/soak-short.test.ts, 3 kills, a few small files).

import type { FileClass } from './files';

const KiB = 1024;
const MiB = 1024 * KiB;

export interface SoakPreset {
  name: 'full' | 'short';
  kills: number;
  files: readonly FileClass[];
  /** `vodup sandbox --faults`: on from the first request to the last. */
  faults: Readonly<Record<string, number>>;
  partSizeMiB: number;
  parallel: number;
  filesInFlight: number;
  /** `--bwlimit` in MB/s: uploads take long enough for credentials to expire mid-run. */
  bwlimitMBps: number;
  /** Share of the parts kept for the final, unkilled run. */
  reserveShare: number;
  /** A killed run is killed after this long whatever else. */
  guardMs: number;
  /** The final `vodup run` must end within this; longer is reported as a hang. */
  finalDeadlineMs: number;
}

export const FULL: SoakPreset = {
  name: 'full',
  kills: 25,
  files: [
    { name: 'empty.mp4', min: 0, max: 0 },
    { name: 'tiny.mp3', min: 1, max: 4 * KiB },
    { name: 'jingle.m4a', min: 20 * KiB, max: 99 * KiB },
    { name: 'one-part.mov', min: 1 * MiB, max: 1 * MiB },
    { name: 'trailer.mp4', min: 2 * MiB, max: 3 * MiB },
    { name: 'interview.mov', min: 4 * MiB, max: 6 * MiB },
    { name: 'episode-1.mp4', min: 20 * MiB, max: 26 * MiB },
    { name: 'episode-2.mkv', min: 28 * MiB, max: 34 * MiB },
  ],
  faults: {
    errorRate: 0.03,
    resetRate: 0.06,
    requestTimeoutRate: 0.06,
    throttleRate: 0.08,
    credentialTtlSeconds: 8,
  },
  partSizeMiB: 1,
  parallel: 3,
  filesInFlight: 2,
  bwlimitMBps: 3,
  reserveShare: 0.3,
  guardMs: 20_000,
  finalDeadlineMs: 10 * 60_000,
};

export const SHORT: SoakPreset = {
  name: 'short',
  kills: 3,
  files: [
    { name: 'empty.mp4', min: 0, max: 0 },
    { name: 'jingle.mp3', min: 10 * KiB, max: 90 * KiB },
    { name: 'clip.mov', min: 2 * MiB, max: 3 * MiB },
    { name: 'episode.mp4', min: 6 * MiB, max: 7 * MiB },
  ],
  // Higher rates than the full soak, so each fault fires even in a short run: ~20 parts
  // take ~40 UploadPart attempts (P(no reset) = P(no RequestTimeout) = 0.75^40 ≈ 1e-5), ~35 VOD calls see a
  // throttle (0.75^35 ≈ 4e-5), ~75 requests a 5xx (0.85^75 ≈ 5e-6). A 3 s credential
  // is renewed at half its life, so the final run (40% of the parts at 2 MB/s) renews.
  faults: {
    errorRate: 0.15,
    resetRate: 0.25,
    requestTimeoutRate: 0.25,
    throttleRate: 0.25,
    credentialTtlSeconds: 3,
  },
  partSizeMiB: 1,
  parallel: 3,
  filesInFlight: 2,
  bwlimitMBps: 2,
  reserveShare: 0.4,
  guardMs: 15_000,
  finalDeadlineMs: 3 * 60_000,
};
