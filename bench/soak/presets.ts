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
  /** `vodup sandbox --search-lag-ms`: SearchMedia finds a new video only this late, as VOD's index. */
  searchLagMs: number;
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
  // Uploaded in name order, two at a time: one slot works through the first episode
  // while the other churns through smaller files, so creates and completes happen all
  // along the kill phase, not only at its start and end.
  files: [
    { name: '01-empty.mp4', min: 0, max: 0 },
    { name: '02-episode-1.mp4', min: 20 * MiB, max: 26 * MiB },
    { name: '03-tiny.mp3', min: 1, max: 4 * KiB },
    { name: '04-trailer.mp4', min: 2 * MiB, max: 3 * MiB },
    { name: '05-jingle.m4a', min: 20 * KiB, max: 99 * KiB },
    { name: '06-interview.mov', min: 4 * MiB, max: 6 * MiB },
    { name: '07-one-part.mov', min: 1 * MiB, max: 1 * MiB },
    { name: '08-b-roll.mov', min: 7 * MiB, max: 9 * MiB },
    { name: '09-promo.mp4', min: 1 * MiB + 1, max: 2 * MiB },
    { name: '10-episode-2.mkv', min: 28 * MiB, max: 34 * MiB },
  ],
  // ~250 requests (~100 VOD calls, ~110 UploadParts): each fault fires ~8 times or more.
  faults: {
    errorRate: 0.04,
    resetRate: 0.08,
    requestTimeoutRate: 0.08,
    throttleRate: 0.08,
    credentialTtlSeconds: 8,
  },
  searchLagMs: 3000,
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
    { name: '1-empty.mp4', min: 0, max: 0 },
    { name: '2-episode.mp4', min: 12 * MiB, max: 14 * MiB },
    { name: '3-jingle.mp3', min: 10 * KiB, max: 90 * KiB },
    { name: '4-clip.mov', min: 3 * MiB, max: 4 * MiB },
    { name: '5-sting.mp3', min: 1, max: 20 * KiB },
    { name: '6-teaser.mp4', min: 100 * KiB, max: 900 * KiB },
  ],
  // Higher rates than the full soak, so each fault fires even in a short run (measured
  // over seeds 11–16: 32–51 UploadPart attempts, so P(no reset) = P(no RequestTimeout) ≤
  // 0.75^32 ≈ 1e-4; 35–60 VOD calls, ~0.88 of them past the 5xx roll, P(no throttle) ≤
  // 0.7^30 ≈ 2e-5; 80+ requests, P(no 5xx) ≤ 0.88^80 ≈ 4e-5). A 3 s credential is renewed
  // at half its life, so any run uploading one file for 1.5 s renews. It takes 15–60 s:
  // when a kill catches a CreateUploadVideo unanswered (in flight or between retries),
  // the engine gives SearchMedia 30 s to show the video that request may have made
  // before it creates another.
  // RequestTimeout rolls only where no reset did (0.75 × rate per attempt): at 0.25 a CI
  // run on 2026-12-01 saw it never fire (a run whose kills left few part attempts); at
  // 0.4 it is 0.3 per attempt, P(none in 15 attempts) ≈ 0.005.
  faults: {
    errorRate: 0.12,
    resetRate: 0.25,
    requestTimeoutRate: 0.4,
    throttleRate: 0.3,
    credentialTtlSeconds: 3,
  },
  searchLagMs: 0,
  partSizeMiB: 1,
  parallel: 3,
  filesInFlight: 2,
  bwlimitMBps: 6,
  reserveShare: 0.4,
  guardMs: 8_000,
  finalDeadlineMs: 3 * 60_000,
};
