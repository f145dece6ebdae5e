// `vodup edit <VideoIds…|--match key=value…>`: change title, description, category, tags
// or cover of any number of videos (UpdateVideoInfos, 20 a call; a batch the service
// refused as a whole is retried; each video's result on its own line). A title template
// ('{title} (fixed)') or added tags read each video's current metadata first.

import type { LibraryVideo } from '../../../shared/library';
import { parseTags } from '../../../shared/validation';
import { needsCurrent, planEdits, type EditSpec } from '../../engine/library/edit-plan';
import { classifyError } from '../../engine/errors';
import { CliError, EXIT } from '../errors';
import { notFoundResult, openLibrary, reportResults, selectVideos } from '../library-session';

export interface EditFlags {
  match?: string[];
  title?: string;
  titleTemplate?: string;
  description?: string;
  cate?: number;
  tags?: string;
  addTag?: string[];
  coverUrl?: string;
  dryRun?: boolean;
  json?: boolean;
  db?: string;
}

export function specOf(flags: EditFlags): EditSpec {
  if (flags.title !== undefined && flags.titleTemplate !== undefined) throw new CliError('Give --title or --title-template, not both.');
  if (flags.tags !== undefined && flags.addTag?.length) throw new CliError('Give --tags (replace) or --add-tag (add), not both.');
  const spec: EditSpec = {
    ...(flags.title !== undefined ? { title: flags.title } : {}),
    ...(flags.titleTemplate !== undefined ? { titleTemplate: flags.titleTemplate } : {}),
    ...(flags.description !== undefined ? { description: flags.description } : {}),
    ...(flags.cate !== undefined ? { cateId: flags.cate } : {}),
    ...(flags.tags !== undefined ? { tags: parseTags(flags.tags) } : {}),
    ...(flags.addTag?.length ? { addTags: flags.addTag } : {}),
    ...(flags.coverUrl !== undefined ? { coverUrl: flags.coverUrl } : {}),
  };
  if (Object.keys(spec).length === 0) {
    throw new CliError('Say what to change: --title, --title-template, --description, --cate, --tags, --add-tag or --cover-url.');
  }
  return spec;
}

export async function editCommand(ids: string[], flags: EditFlags, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const spec = specOf(flags);
  const session = openLibrary(flags.db, (done, total) => {
    if (!flags.json && total > 20) process.stderr.write(`vodup: ${done} of ${total} sent…\n`);
  });
  try {
    const selected = await selectVideos(session.service, ids, flags.match);
    if (selected.ids.length === 0) {
      process.stderr.write('No video matches; nothing changed.\n');
      return EXIT.ok;
    }
    let videos: Pick<LibraryVideo, 'videoId' | 'title' | 'tags'>[] = selected.videos ?? selected.ids.map((videoId) => ({ videoId, title: '', tags: [] }));
    const missing: string[] = [];
    if (needsCurrent(spec) && !selected.videos) {
      const current = await session.service.details(selected.ids, undefined, { basicOnly: true });
      videos = [];
      for (const id of selected.ids) {
        const v = current.get(id);
        if (v) videos.push(v);
        else missing.push(id);
      }
    }
    const patches = planEdits(videos, spec);
    if (flags.dryRun) {
      for (const p of patches) out.write(flags.json ? `${JSON.stringify(p)}\n` : `would change ${p.videoId}: ${describe(p)}\n`);
      process.stderr.write(`${patches.length} video(s) would change${missing.length ? `; ${missing.length} not found` : ''} (dry run: nothing sent).\n`);
      return EXIT.ok;
    }
    const results = await session.service.edit(patches);
    const notFound = missing.map((videoId) => notFoundResult(session.provider, videoId, 'edit'));
    return reportResults([...results, ...notFound], flags, { done: 'changed', doing: 'changed' }, out);
  } catch (err) {
    if (err instanceof CliError) throw err;
    const e = classifyError(err);
    throw new CliError(`The videos could not be found: ${e.code}: ${e.message} ${e.hint}`, e.kind === 'parameter' || e.kind === 'auth' || e.kind === 'permission' ? EXIT.usage : EXIT.jobsFailed);
  } finally {
    session.close();
  }
}

function describe(p: object): string {
  return Object.entries(p).filter(([k]) => k !== 'videoId').map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
}
