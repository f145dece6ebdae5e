// The part size of a new multipart upload, chosen for the network it goes over
// (docs/ARCHITECTURE.md §3 "Adaptive concurrency and the small-file path"). Pure: the
// engine gives it the file's size, the operator's setting and what adaptive.ts measured
// of the destination; planParts (oss/part-plan.ts) then applies the object store's rules.
// The choice is stored with the job before the upload is initiated (jobs.part_size), so a
// resumed upload — after a pause, a crash, kill -9 — keeps the parts it began with.
//
// Two pulls, the smaller wins:
//  - the rate: one part should take about TARGET_PART_SECONDS on one connection. On a
//    fast path that means big parts (fewer requests, round trips and CPU per GiB); on a
//    slow one small parts (a lost part or a retry costs little, checkpoints come often);
//  - an even finish: a file should have at least MIN_ROUNDS parts per request in flight.
//    The last round of parts runs with fewer and fewer requests while the others are
//    done; with few, long parts that tail is a large share of the file's time (traced on
//    the benchmark's 20 ms profile: the last 100 MB of a 1 GiB file in 16 MiB parts, 16
//    in flight, took 2.8 s of its 12).
// Within [AUTO_MIN_PART_MIB, AUTO_MAX_PART_MIB]: 4 MiB is well above OSS's 100 KiB and
// COS's 1 MB minimum part, and keeps a request's fixed cost small beside its bytes.
// A file of at most SINGLE_REQUEST_MAX_MIB stays one part (one PutObject).

import { DEFAULT_PART_SIZE_MIB } from './oss/part-plan';

/** Seconds one part should take on one connection at the measured rate. */
export const TARGET_PART_SECONDS = 4;
/** Parts per request in flight, at least, so the last round is a small share of the file. */
export const MIN_ROUNDS = 8;
export const AUTO_MIN_PART_MIB = 4;
export const AUTO_MAX_PART_MIB = 64;
/** Files up to this size are one part, as with the default part size (the single-request path). */
export const SINGLE_REQUEST_MAX_MIB = DEFAULT_PART_SIZE_MIB;

const MiB = 1024 * 1024;

export interface PartSizeInput {
  /** File size in bytes. */
  size: number;
  /** The operator's part size setting, MiB; 0 or undefined = automatic. */
  settingMiB?: number;
  /** Measured bytes per second of one request to the destination; undefined = not measured yet. */
  perRequestBps?: number;
  /** Requests that may carry this file's parts at once (the destination's upper level). */
  level: number;
}

/**
 * The part size (whole MiB) to plan a new upload with. An explicit setting is taken as
 * it is; planParts raises any size to what 10,000 parts need and checks the maximum.
 */
export function choosePartSizeMiB(input: PartSizeInput): number {
  if (input.settingMiB && input.settingMiB > 0) return input.settingMiB;
  if (input.size <= SINGLE_REQUEST_MAX_MIB * MiB) return SINGLE_REQUEST_MAX_MIB;
  const byRate = input.perRequestBps && input.perRequestBps > 0
    ? (input.perRequestBps * TARGET_PART_SECONDS) / MiB
    : DEFAULT_PART_SIZE_MIB;
  const evenFinish = input.size / MiB / (Math.max(1, input.level) * MIN_ROUNDS);
  const mib = Math.floor(Math.min(byRate, evenFinish));
  return Math.min(AUTO_MAX_PART_MIB, Math.max(AUTO_MIN_PART_MIB, mib));
}
