// `vodup catalog`: the ids `upload` takes (--category, --template-group, --workflow,
// --app-id), read from the account: categories as a tree, transcode template groups,
// workflows, applications. A RAM user allowed to upload only may not list some of them
// (Forbidden.RAM): those parts are said with VOD's answer and the rest is printed; only
// an account that may read none of it fails the command.

import type { Catalog, CatalogPart, CategoryNode } from '../../../shared/types';
import { classifyError } from '../../engine/errors';
import { createProvider, loadCredentials } from '../credentials';
import { CliError, EXIT } from '../errors';

export interface CatalogFlags {
  json?: boolean;
}

const TITLES: Record<CatalogPart, string> = {
  categories: 'Categories (--category <CateId>)',
  templateGroups: 'Transcode template groups (--template-group <id>)',
  workflows: 'Workflows (--workflow <id>)',
  apps: 'Applications (--app-id <id>)',
};

/** Exit 0 when at least one part was read; 2 when the AccessKey may read none; 1 when VOD could not be asked. */
export async function catalogCommand(flags: CatalogFlags, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const creds = loadCredentials();
  let catalog: Catalog;
  try {
    catalog = await createProvider(creds).getCatalog();
  } catch (err) {
    const e = classifyError(err);
    throw new CliError(`The catalog could not be read: ${e.code}: ${e.message} ${e.hint}`, e.kind === 'auth' ? EXIT.usage : EXIT.jobsFailed);
  }
  const refusedAll = catalog.refused.length === Object.keys(TITLES).length;
  if (flags.json) {
    out.write(`${JSON.stringify(catalog)}\n`);
  } else {
    out.write(`${renderCatalog(catalog).join('\n')}\n`);
  }
  for (const r of catalog.refused) {
    process.stderr.write(`vodup: the AccessKey ${creds.accessKeyId} may not list ${partName(r.part)} (${r.code}: ${r.message}).\n`);
  }
  if (refusedAll) {
    process.stderr.write('vodup: nothing of the catalog could be read. Give ids by hand (from the VOD console), or use an AccessKey whose RAM policy allows GetCategories, ListTranscodeTemplateGroup, ListWorkflow and ListAppInfo.\n');
    return EXIT.usage;
  }
  return EXIT.ok;
}

function partName(part: CatalogPart): string {
  return { categories: 'categories', templateGroups: 'template groups', workflows: 'workflows', apps: 'applications' }[part];
}

/** The human listing: one section per part, ids first so they are easy to copy. */
export function renderCatalog(catalog: Catalog): string[] {
  const lines: string[] = [];
  const refused = new Map(catalog.refused.map((r) => [r.part, r]));
  const section = (part: CatalogPart, body: () => string[]): void => {
    if (lines.length > 0) lines.push('');
    lines.push(`${TITLES[part]}:`);
    const r = refused.get(part);
    if (r) {
      lines.push(`  not readable with this AccessKey (${r.code}): give ids by hand${part === 'apps' ? '; without --app-id uploads go to the default application' : ''}.`);
      return;
    }
    const rows = body();
    lines.push(...(rows.length > 0 ? rows : ['  (none)']));
  };
  section('categories', () => categoryRows(catalog.categories, 1));
  section('templateGroups', () => catalog.templateGroups.map((g) => {
    const labels = [g.isDefault ? 'default' : '', g.noTranscode ? 'no transcoding' : '', g.locked ? 'locked' : ''].filter(Boolean);
    return `  ${g.id}  ${g.name}${labels.length > 0 ? `  (${labels.join(', ')})` : ''}`;
  }));
  section('workflows', () => catalog.workflows.map((w) => `  ${w.id}  ${w.name}`));
  section('apps', () => catalog.apps.map((a) => `  ${a.appId}  ${a.name}`));
  return lines;
}

function categoryRows(nodes: readonly CategoryNode[], depth: number): string[] {
  const out: string[] = [];
  for (const n of nodes) {
    out.push(`${'  '.repeat(depth)}${n.cateId}  ${n.name}`);
    out.push(...categoryRows(n.children, depth + 1));
  }
  return out;
}
