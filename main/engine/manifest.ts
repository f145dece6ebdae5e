// Manifests: the per-file metadata operators keep in a spreadsheet (CSV, as Excel saves
// it, UTF-8 with or without BOM) or a JSON array, one row per file. Column names are
// our export's (path, title, description, category, tags, …) or the PC upload tool's
// Chinese labels (文件, 资源名称, 资源描述, 分类, 标签, 转码模板组). Relative paths are
// taken from the manifest's folder. Every row is checked with shared/validation.ts;
// a bad row is reported with its row number and the others load. A row whose file an
// HLS playlist listed in the same manifest lists (a spreadsheet of a whole folder) is
// reported too, naming the playlist's row: it is uploaded with that playlist's job.

import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { CategoryNode, JobMeta, NewJob } from '../../shared/types';
import { formatProblems, parseTags, titleFromFileName, validateFileName, validateMetadata, type Problem } from '../../shared/validation';
import { segmentSkipReason, separateHlsSegments } from './hls';

export interface ManifestProblem {
  /** 1-based data row (the header is row 0 in CSV; array index + 1 in JSON). */
  row: number;
  path?: string;
  /** English, for the CLI and logs; a UI words it from `code`/`params` or `problems`. */
  message: string;
  /** Why the row was left out, as a code a UI translates (ManifestNoPath, HlsSegment, …). */
  code?: string;
  params?: Record<string, string | number>;
  /** A row whose values failed the checks: each problem with its code and params. */
  problems?: Problem[];
}

/** Each data row gives exactly one item or one problem, in row order. */
export interface Manifest {
  items: NewJob[];
  problems: ManifestProblem[];
}

type Field = 'path' | 'title' | 'description' | 'category' | 'tags' | 'templateGroup' | 'workflow' | 'storageLocation' | 'appId' | 'userData' | 'cover' | 'priority';

/** Accepted column names (lower-cased, spaces/underscores/dashes removed) for each field. */
const ALIASES: Record<Field, readonly string[]> = {
  path: ['path', 'file', 'filepath', 'filename', '文件', '文件路径', '路径'],
  title: ['title', 'name', '资源名称', '标题', '名称'],
  description: ['description', 'desc', '资源描述', '描述'],
  category: ['category', 'cateid', 'categoryid', '分类', '分类id'],
  tags: ['tags', 'tag', '标签'],
  templateGroup: ['templategroup', 'templategroupid', 'transcodetemplategroup', '转码模板组', '模板组'],
  workflow: ['workflow', 'workflowid', '工作流'],
  storageLocation: ['storagelocation', 'storage', '存储地址', '存储'],
  appId: ['appid', 'app', '应用', '应用id'],
  userData: ['userdata'],
  cover: ['cover', 'coverpath', 'coverimage', '封面'],
  priority: ['priority', '优先级'],
};

const norm = (s: string): string => s.trim().toLowerCase().replace(/[\s_-]+/g, '');

function fieldOf(column: string): Field | undefined {
  const n = norm(column);
  return (Object.keys(ALIASES) as Field[]).find((f) => ALIASES[f].includes(n));
}

function rowsOf(text: string, ext: string): Record<string, unknown>[] {
  if (ext === '.json') {
    const data: unknown = JSON.parse(text);
    if (!Array.isArray(data)) throw new Error('A JSON manifest is an array of objects, one per file.');
    return data.map((r, i) => {
      if (typeof r !== 'object' || r === null || Array.isArray(r)) throw new Error(`Entry ${i + 1} is not an object.`);
      return r as Record<string, unknown>;
    });
  }
  return parse(text, { columns: true, bom: true, skip_empty_lines: true, trim: true, relax_column_count: true }) as Record<string, unknown>[];
}

const text = (v: unknown): string | undefined => {
  if (v === undefined || v === null) return undefined;
  const s = String(v).trim();
  return s.length > 0 ? s : undefined;
};

export interface ManifestOptions {
  /**
   * The account's category tree: a category cell may then name a category ("Action",
   * or its path "Movies/Action") instead of giving its CateId.
   */
  categories?: readonly CategoryNode[];
}

/** Every category with its path of names from the root. */
function flatten(nodes: readonly CategoryNode[], parents: string[] = []): { path: string[]; cateId: number }[] {
  return nodes.flatMap((n) => [{ path: [...parents, n.name], cateId: n.cateId }, ...flatten(n.children, [...parents, n.name])]);
}

/** A CateId for a category's name or path, or the problem saying why there is none. */
function categoryByName(name: string, categories: readonly CategoryNode[] | undefined): number | Problem {
  const problem = (code: string, message: string, params: Record<string, string> = {}): Problem =>
    ({ field: 'cateId', code, message, params: { name, ...params } });
  if (!categories) return problem('CategoryNotId', `Category "${name}" is not a category id (a number).`);
  const wanted = name.split(/\s*[/>／]\s*/).map((s) => s.trim().toLowerCase()).filter(Boolean);
  const all = flatten(categories);
  const matches = all.filter((c) => {
    const tail = c.path.slice(-wanted.length).map((s) => s.toLowerCase());
    return tail.length === wanted.length && tail.every((s, i) => s === wanted[i]);
  });
  if (matches.length === 1) return matches[0].cateId;
  if (matches.length === 0) return problem('CategoryUnknown', `No category is named "${name}" in this account.`);
  const listed = matches.map((m) => `${m.path.join('/')} (${m.cateId})`).join(', ');
  return problem('CategoryAmbiguous', `Category "${name}" is ambiguous: ${listed}. Give its path or its id.`, { matches: listed });
}

export async function readManifest(file: string, opts: ManifestOptions = {}): Promise<Manifest> {
  const abs = path.resolve(file);
  const raw = await fsp.readFile(abs, 'utf8');
  const rows = rowsOf(raw, path.extname(abs).toLowerCase());
  const base = path.dirname(abs);
  const items: NewJob[] = [];
  /** The row of each item. */
  const itemRows: number[] = [];
  const problems: ManifestProblem[] = [];
  rows.forEach((row, i) => {
    const n = i + 1;
    const v: Partial<Record<Field, unknown>> = {};
    for (const [col, value] of Object.entries(row)) {
      const f = fieldOf(col);
      if (f && v[f] === undefined) v[f] = value;
    }
    const p = text(v.path);
    if (!p) {
      problems.push({ row: n, code: 'ManifestNoPath', message: 'No file path (a "path" column is required).' });
      return;
    }
    const filePath = path.resolve(base, p);
    const tags = Array.isArray(v.tags) ? v.tags.map(String) : parseTags((text(v.tags) ?? '').replace(/[;；]/g, ','));
    const cate = text(v.category);
    const meta: JobMeta = {
      title: text(v.title) ?? titleFromFileName(filePath),
      tags,
      ...(text(v.description) ? { description: text(v.description) } : {}),
      ...(text(v.templateGroup) ? { templateGroupId: text(v.templateGroup) } : {}),
      ...(text(v.workflow) ? { workflowId: text(v.workflow) } : {}),
      ...(text(v.storageLocation) ? { storageLocation: text(v.storageLocation) } : {}),
      ...(text(v.appId) ? { appId: text(v.appId) } : {}),
      ...(text(v.userData) ? { userData: typeof v.userData === 'object' ? JSON.stringify(v.userData) : text(v.userData) } : {}),
      ...(text(v.cover) ? { coverPath: path.resolve(base, text(v.cover)!) } : {}),
    };
    // The extension is a parameter, so a UI can say which one in its own words.
    const ext = path.extname(filePath).slice(1).toLowerCase();
    const rowProblems = [
      ...validateFileName(filePath).map((p) => (p.code === 'UnsupportedExtension' && ext ? { ...p, params: { ext, ...p.params } } : p)),
      ...validateMetadata(meta),
    ];
    if (cate !== undefined) {
      const id = /^-?\d+$/.test(cate) ? Number(cate) : categoryByName(cate, opts.categories);
      if (typeof id === 'number') meta.cateId = id;
      else rowProblems.push(id);
    }
    const priority = text(v.priority);
    if (priority !== undefined && !/^-?\d+$/.test(priority)) {
      rowProblems.push({ field: 'file', code: 'InvalidPriority', message: `Priority "${priority}" is not a whole number.`, params: { value: priority } });
    }
    if (rowProblems.length > 0) {
      problems.push({ row: n, path: filePath, message: formatProblems(rowProblems), code: 'ManifestRowInvalid', problems: rowProblems });
      return;
    }
    items.push({ path: filePath, meta, ...(priority !== undefined ? { priority: Number(priority) } : {}) });
    itemRows.push(n);
  });
  return withoutSegments(items, itemRows, problems);
}

/** Rows that a playlist row lists become problems (its job uploads them); problems stay in row order. */
async function withoutSegments(items: NewJob[], itemRows: number[], problems: ManifestProblem[]): Promise<Manifest> {
  const { segmentOf } = await separateHlsSegments(items.map((item) => item.path));
  if (segmentOf.size === 0) return { items, problems };
  const rowOf = new Map<string, number>();
  items.forEach((item, i) => {
    if (!rowOf.has(item.path)) rowOf.set(item.path, itemRows[i]);
  });
  const kept: NewJob[] = [];
  items.forEach((item, i) => {
    const playlist = segmentOf.get(item.path);
    if (playlist === undefined) kept.push(item);
    else {
      problems.push({
        row: itemRows[i], path: item.path, message: segmentSkipReason(playlist, `row ${rowOf.get(playlist)}`),
        code: 'HlsSegmentRow', params: { playlist: path.basename(playlist), row: rowOf.get(playlist) ?? 0 },
      });
    }
  });
  problems.sort((a, b) => a.row - b.row);
  return { items: kept, problems };
}
