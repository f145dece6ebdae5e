// `vodup delete <VideoIds…|--match key=value…>`: delete videos from VOD (DeleteVideo:
// the source, streams and snapshots), or with --source-only the source file alone
// (DeleteMezzanines). More than CONFIRM_ABOVE videos need --yes, or the count typed at a
// terminal: a --match that catches more than meant must not delete without a word.

import readline from 'readline';
import { classifyError } from '../../engine/errors';
import { CliError, EXIT } from '../errors';
import { openLibrary, reportResults, selectVideos } from '../library-session';

/** Deleting more videos than this asks for confirmation. */
export const CONFIRM_ABOVE = 5;

export interface DeleteFlags {
  match?: string[];
  sourceOnly?: boolean;
  yes?: boolean;
  dryRun?: boolean;
  json?: boolean;
  db?: string;
}

async function typedCount(n: number, what: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await new Promise<string>((resolve) => rl.question(`This deletes ${what} of ${n} videos and cannot be undone. Type ${n} to go on: `, resolve));
    return answer.trim() === String(n);
  } finally {
    rl.close();
  }
}

export async function deleteCommand(ids: string[], flags: DeleteFlags, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const session = openLibrary(flags.db);
  const what = flags.sourceOnly ? 'the source files' : 'everything (source, streams, snapshots)';
  try {
    const selected = await selectVideos(session.service, ids, flags.match);
    const n = selected.ids.length;
    if (n === 0) {
      process.stderr.write('No video matches; nothing deleted.\n');
      return EXIT.ok;
    }
    if (flags.dryRun) {
      const titles = new Map((selected.videos ?? []).map((v) => [v.videoId, v.title]));
      for (const id of selected.ids) {
        out.write(flags.json ? `${JSON.stringify({ videoId: id, title: titles.get(id) })}\n` : `would delete ${id}${titles.has(id) ? `  ${titles.get(id)}` : ''}\n`);
      }
      process.stderr.write(`${n} video(s) would lose ${what} (dry run: nothing deleted).\n`);
      return EXIT.ok;
    }
    if (n > CONFIRM_ABOVE && !flags.yes) {
      if (!process.stdin.isTTY) {
        throw new CliError(`Refusing to delete ${what} of ${n} videos without confirmation: give --yes to confirm (or --dry-run to list them first). Nothing was deleted.`);
      }
      if (!(await typedCount(n, what))) throw new CliError(`Not confirmed; nothing was deleted.`);
    }
    const results = await session.service.delete(selected.ids, { sourceOnly: !!flags.sourceOnly });
    return reportResults(results, flags, flags.sourceOnly ? { done: 'source deleted', doing: 'changed' } : { done: 'deleted', doing: 'deleted' }, out);
  } catch (err) {
    if (err instanceof CliError) throw err;
    const e = classifyError(err);
    throw new CliError(`The videos could not be found: ${e.code}: ${e.message} ${e.hint}`, e.kind === 'parameter' || e.kind === 'auth' || e.kind === 'permission' ? EXIT.usage : EXIT.jobsFailed);
  } finally {
    session.close();
  }
}
