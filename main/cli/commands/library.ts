// `vodup library`: the account's videos, found with SearchMedia (filters as in the VOD
// console: title words, category, tags, status, creation time, storage, app), newest
// first, paged past VOD's 5,000-result window; each linked to the queue's job when this
// app uploaded it. Read-only.

import type { LibraryVideo } from '../../../shared/library';
import { classifyError } from '../../engine/errors';
import { CliError, EXIT } from '../errors';
import { formatBytes } from '../format';
import { openLibrary, queryOf, type FilterFlags } from '../library-session';

export interface LibraryFlags extends FilterFlags {
  limit?: number;
  all?: boolean;
  json?: boolean;
  db?: string;
}

export const DEFAULT_LIST_LIMIT = 50;

export async function libraryCommand(flags: LibraryFlags, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  if (flags.all && flags.limit !== undefined) throw new CliError('Give --limit or --all, not both.');
  const limit = flags.all ? Number.POSITIVE_INFINITY : flags.limit ?? DEFAULT_LIST_LIMIT;
  const session = openLibrary(flags.db);
  let shown = 0;
  let total = 0;
  try {
    if (!flags.json) out.write(`${['VIDEOID', 'STATUS', 'CREATED', 'SIZE', 'CATEGORY', 'TAGS', 'JOB', 'TITLE'].join('\t')}\n`);
    const result = await session.service.searchAll({ ...queryOf(flags), pageSize: Math.min(100, Number.isFinite(limit) ? Math.max(1, limit) : 100) }, {
      limit,
      onPage: (page) => {
        total = page.total;
        for (const v of page.videos.slice(0, limit - shown)) {
          out.write(flags.json ? `${JSON.stringify(v)}\n` : textLine(v));
          shown++;
        }
      },
    });
    total = result.total;
  } catch (err) {
    const e = classifyError(err);
    throw new CliError(`The library could not be searched: ${e.code}: ${e.message} ${e.hint}`, e.kind === 'parameter' || e.kind === 'auth' || e.kind === 'permission' ? EXIT.usage : EXIT.jobsFailed);
  } finally {
    session.close();
  }
  process.stderr.write(`${shown} of ${total} matching video(s)${shown < total ? ' shown; --all lists every one, --limit N that many' : ''}.\n`);
  return EXIT.ok;
}

function textLine(v: LibraryVideo): string {
  const created = new Date(v.createdAt).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `${[v.videoId, v.status, created, v.size !== undefined ? formatBytes(v.size) : '-', v.cateName ?? v.cateId ?? '-',
    v.tags.join(',') || '-', v.jobId !== undefined ? `#${v.jobId}` : '-', v.title].join('\t')}\n`;
}
