// `vodup status`: every job in the queue, paged from the store and streamed, so a
// queue of 100,000 jobs prints at once without holding it in memory. Needs no
// credentials: it never starts the engine.

import type { JobView } from '../../../shared/types';
import { EXIT } from '../errors';
import { formatBytes } from '../format';
import { resolveDbPath } from '../paths';
import { openSession } from '../session';
import { unavailableProvider } from './no-provider';

const PAGE = 2000;

export interface StatusFlags {
  db?: string;
  json?: boolean;
}

export async function statusCommand(flags: StatusFlags, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const session = await openSession({
    dbPath: resolveDbPath(flags.db),
    start: false,
    provider: () => unavailableProvider('`vodup status` only reads the queue.'),
  });
  try {
    const { engine } = session;
    if (!flags.json) {
      await write(out, `${['ID', 'STATE', 'VOD', 'VIDEOID', 'DONE', 'SIZE', 'PATH', 'ERROR'].join('\t')}\n`);
    }
    let total = 0;
    for (let offset = 0; ; offset += PAGE) {
      const page = engine.queryJobs({ sort: 'id', offset, limit: PAGE });
      total = page.total;
      if (page.rows.length === 0) break;
      await write(out, page.rows.map((j) => (flags.json ? jsonLine(j) : textLine(j))).join(''));
      if (page.rows.length < PAGE) break;
    }
    if (!flags.json) {
      const t = engine.totals();
      const states = Object.entries(t.byState).filter(([, n]) => n).map(([s, n]) => `${n} ${s}`).join(', ');
      await write(out, `${total} job(s)${states ? `: ${states}` : ''}; ${formatBytes(t.bytesDone)} of ${formatBytes(t.bytesTotal)} sent.\n`);
    }
    return EXIT.ok;
  } finally {
    await session.close();
  }
}

function jsonLine(j: JobView): string {
  return `${JSON.stringify({
    id: j.id, path: j.path, title: j.meta.title, state: j.state, vodStatus: j.vodStatus ?? null,
    videoId: j.videoId ?? null, bytesDone: j.bytesDone, size: j.size, crc64: j.crc64 ?? null,
    error: j.error ? { code: j.error.code, message: j.error.message, retryable: j.error.retryable } : null,
  })}\n`;
}

function textLine(j: JobView): string {
  const error = j.error ? `${j.error.code}: ${j.error.message}` : '';
  return `${[j.id, j.state, j.vodStatus ?? '-', j.videoId ?? '-', formatBytes(j.bytesDone), formatBytes(j.size), j.path, error].join('\t')}\n`;
}

/** Honors back-pressure: a pipe into `less` or a slow terminal must not buffer the whole queue. */
function write(out: NodeJS.WritableStream, chunk: string): Promise<void> {
  if (out.write(chunk)) return Promise.resolve();
  return new Promise((resolve) => out.once('drain', () => resolve()));
}
