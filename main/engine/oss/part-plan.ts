// Splits a file into OSS multipart parts (docs/ARCHITECTURE.md §3):
// partSize = max(base, ceil(size / 10,000)) rounded up to a whole MiB, where base
// is 16 MiB or the user's chosen part size. OSS allows at most 10,000 parts of
// 100 KiB .. 5 GiB (the last may be smaller), and VOD files up to 48.8 TB; a whole
// MiB ≥ 1 MiB keeps every part over the minimum, and ceil(size / 10,000) keeps the
// count within the maximum. All arithmetic stays in safe integers (< 2^53).

import { MAX_FILE_BYTES, MAX_PART_BYTES, MAX_PARTS, MIN_PART_BYTES } from '../../../shared/limits';

const MiB = 1024 * 1024;
/**
 * 16 MiB: fewer requests per GiB than 8 MiB cost less CPU per byte (measured with
 * bench/throughput.ts: ~10-20 % more throughput on loopback), while a part lost to a
 * crash or a reset stays small (re-sent bytes ≤ parts in flight × part size).
 */
export const DEFAULT_PART_SIZE_MIB = 16;

export interface PartRange {
  /** 1-based, as OSS numbers parts. */
  partNumber: number;
  /** Byte offset of the first byte in the file. */
  start: number;
  /** Byte offset just past the last byte (exclusive). */
  end: number;
}

export interface PartPlan {
  /** File size in bytes. */
  size: number;
  /** Bytes in every part but the last: a whole number of MiB. */
  partSize: number;
  /**
   * Number of parts, 1..10,000 — or 0 for an empty file: OSS cannot complete a
   * multipart upload without parts, so the caller uploads it with one PutObject
   * of an empty body instead.
   */
  partCount: number;
  /** Every part in order (lazily: a 10,000-part plan allocates nothing up front). */
  parts(): Iterable<PartRange>;
  /** Part `partNumber` (1..partCount). */
  part(partNumber: number): PartRange;
}

export type PartPlanErrorCode = 'FileTooLarge' | 'PartTooLarge' | 'InvalidSize';

export class PartPlanError extends Error {
  override readonly name = 'PartPlanError';
  constructor(
    readonly code: PartPlanErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** ceil(a / b) for non-negative safe integers, exact (the float quotient is corrected). */
function ceilDiv(a: number, b: number): number {
  let q = Math.floor(a / b);
  while (q * b < a) q++;
  while (q > 0 && (q - 1) * b >= a) q--;
  return q;
}

export function planParts(size: number, opts: { partSizeMiB?: number } = {}): PartPlan {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new PartPlanError('InvalidSize', `Cannot plan an upload of ${size} bytes: the size must be a whole number of bytes, 0 or more.`);
  }
  if (size > MAX_FILE_BYTES) {
    throw new PartPlanError(
      'FileTooLarge',
      `The file is ${size} bytes (${(size / 1e12).toFixed(2)} TB); ApsaraVideo VOD accepts files up to 48.8 TB ` +
        `(${MAX_FILE_BYTES} bytes). Split or re-encode it into smaller files to upload it.`,
    );
  }
  const chosen = opts.partSizeMiB;
  const baseBytes = chosen !== undefined && Number.isFinite(chosen) && chosen > 0 ? chosen * MiB : DEFAULT_PART_SIZE_MIB * MiB;
  // Rounding up to a whole MiB also turns a fractional chosen size into whole bytes.
  const partSize = ceilDiv(Math.max(Math.ceil(baseBytes), ceilDiv(size, MAX_PARTS)), MiB) * MiB;
  if (partSize > MAX_PART_BYTES) {
    throw new PartPlanError(
      'PartTooLarge',
      `A part size of ${partSize / MiB} MiB is over OSS's limit of ${MAX_PART_BYTES / MiB} MiB (5 GiB) per part. ` +
        `Choose a part size of at most ${MAX_PART_BYTES / MiB} MiB in the settings.`,
    );
  }
  const partCount = ceilDiv(size, partSize);
  // Guaranteed by the arithmetic above; checked so a future edit cannot break OSS's rules silently.
  if (partCount > MAX_PARTS || (partCount > 1 && partSize < MIN_PART_BYTES)) {
    throw new Error(`part planner bug: ${size} bytes → ${partCount} parts of ${partSize}`);
  }

  const part = (partNumber: number): PartRange => {
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > partCount) {
      throw new RangeError(`Part ${partNumber} does not exist: this file has ${partCount} parts (1..${partCount}).`);
    }
    const start = (partNumber - 1) * partSize;
    return { partNumber, start, end: Math.min(start + partSize, size) };
  };

  return {
    size,
    partSize,
    partCount,
    part,
    *parts() {
      for (let n = 1; n <= partCount; n++) yield part(n);
    },
  };
}
