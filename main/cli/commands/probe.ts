// `vodup probe`: what ffprobe reads in each file before it is uploaded — duration,
// resolution, codecs — and which files are not readable as media (VOD would fail to
// transcode them after the whole upload). A warning tool: it uploads nothing.

import { mediaSummary } from '../../../shared/format';
import type { MediaProbe } from '../../../shared/types';
import { FfprobeUnavailableError, probeMany } from '../../engine/media-probe';
import { CliError, EXIT } from '../errors';
import { expandInputs } from '../expand';

export interface ProbeFlags {
  json?: boolean;
}

/** Exit 0 when every file reads as media, 1 when some do not, 2 for bad paths or no ffprobe. */
export async function probeCommand(inputs: string[], flags: ProbeFlags, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const found = await expandInputs(inputs);
  for (const p of found.problems) process.stderr.write(`vodup: ${p.path}: ${p.message}\n`);
  let probes: Record<string, MediaProbe>;
  try {
    probes = await probeMany(found.files.map((f) => f.path));
  } catch (err) {
    if (err instanceof FfprobeUnavailableError) throw new CliError(err.message);
    throw err;
  }
  let unreadable = 0;
  for (const f of found.files) {
    const p = probes[f.path];
    if (!p.ok) unreadable++;
    out.write(flags.json ? `${JSON.stringify({ path: f.path, size: f.size, ...p })}\n` : `${f.path}\t${p.ok ? mediaSummary(p) : `WARNING: ${p.problem}`}\n`);
  }
  if (!flags.json && found.files.length > 1) {
    out.write(`${found.files.length} file(s), ${unreadable} not readable as media.\n`);
  }
  if (found.problems.length > 0) return EXIT.usage;
  return unreadable > 0 ? EXIT.jobsFailed : EXIT.ok;
}
