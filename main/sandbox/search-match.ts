// SearchMedia's Match: the media search protocol, parsed into a predicate over videos.
//
// Grammar as VOD documents it ("Protocol for media asset search",
// https://help.aliyun.com/document_detail/86991.html, and the API examples of
// https://help.aliyun.com/document_detail/99179.html):
//   exact        Field = 'value'          (VideoId, CateId, Status, StorageLocation, AppId)
//   fuzzy        Title = 'words'          (Title, Description: full-text fields)
//   multi-value  Field in ('a','b')       (any of the values; a fuzzy field stays fuzzy)
//   range        Field = ('from','to')    open bounds, [ ] closed, mixed allowed; an empty
//                                         bound is open-ended: CreationTime = ('2024-01-01T00:00:00Z',)
//   and / or     f1 = 'a' and f2 = 'b';   (f1 = 'a' or f2 = 'b') — `or` inside parentheses
// Punctuation is half-width; string values are in single quotes. A quote inside a value
// is written \' (what the app's own searchVideosByTitle has always sent).
// Keywords are case-insensitive ("AND" appears in VOD's own samples).

import { RpcError } from './vod-signature';

export type MatchNode =
  | { op: 'and' | 'or'; nodes: MatchNode[] }
  | { op: 'eq'; field: string; value: string }
  | { op: 'in'; field: string; values: string[] }
  | { op: 'range'; field: string; from?: string; to?: string; fromInclusive: boolean; toInclusive: boolean };

/** How each field the sandbox indexes may be searched. */
export type FieldKind = 'fuzzy' | 'exact' | 'tags' | 'time';

export const MATCH_FIELDS: Readonly<Record<string, FieldKind>> = {
  Title: 'fuzzy',
  Description: 'fuzzy',
  VideoId: 'exact',
  CateId: 'exact',
  Status: 'exact',
  StorageLocation: 'exact',
  AppId: 'exact',
  Tags: 'tags',
  CreationTime: 'time',
  ModificationTime: 'time',
};

const invalid = (message: string) => new RpcError(400, 'InvalidParameter', `The parameter Match is invalid: ${message}`);

type Token =
  | { t: 'str'; v: string }
  | { t: 'word'; v: string }
  | { t: 'punct'; v: '(' | ')' | '[' | ']' | ',' | '=' };

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'" || c === '"') {
      let v = '';
      i++;
      for (;;) {
        if (i >= s.length) throw invalid('a quoted value is not closed.');
        const d = s[i];
        if (d === '\\' && i + 1 < s.length) {
          v += s[i + 1];
          i += 2;
        } else if (d === c) {
          i++;
          break;
        } else {
          v += d;
          i++;
        }
      }
      out.push({ t: 'str', v });
    } else if (c === '=' && s[i + 1] === '=') {
      out.push({ t: 'punct', v: '=' });
      i += 2;
    } else if ('()[],='.includes(c)) {
      out.push({ t: 'punct', v: c as '(' });
      i++;
    } else {
      const m = /^[^\s()[\],='"]+/.exec(s.slice(i));
      if (!m) throw invalid(`unexpected "${c}".`);
      out.push({ t: 'word', v: m[0] });
      i += m[0].length;
    }
  }
  return out;
}

class Parser {
  private i = 0;
  constructor(private readonly toks: Token[]) {}

  parse(): MatchNode {
    const node = this.or();
    if (this.i < this.toks.length) throw invalid(`unexpected "${this.toks[this.i].v}".`);
    return node;
  }

  private peek(): Token | undefined {
    return this.toks[this.i];
  }

  private isWord(w: string): boolean {
    const t = this.peek();
    return t?.t === 'word' && t.v.toLowerCase() === w;
  }

  private isPunct(p: string): boolean {
    const t = this.peek();
    return t?.t === 'punct' && t.v === p;
  }

  private expectPunct(p: string): void {
    if (!this.isPunct(p)) throw invalid(`expected "${p}"${this.peek() ? ` before "${this.peek()!.v}"` : ' at the end'}.`);
    this.i++;
  }

  private or(): MatchNode {
    const nodes = [this.and()];
    while (this.isWord('or')) {
      this.i++;
      nodes.push(this.and());
    }
    return nodes.length === 1 ? nodes[0] : { op: 'or', nodes };
  }

  private and(): MatchNode {
    const nodes = [this.primary()];
    while (this.isWord('and')) {
      this.i++;
      nodes.push(this.primary());
    }
    return nodes.length === 1 ? nodes[0] : { op: 'and', nodes };
  }

  private primary(): MatchNode {
    if (this.isPunct('(')) {
      this.i++;
      const node = this.or();
      this.expectPunct(')');
      return node;
    }
    const f = this.peek();
    if (f?.t !== 'word') throw invalid(f ? `expected a field name before "${f.v}".` : 'a condition is missing at the end.');
    this.i++;
    const field = Object.keys(MATCH_FIELDS).find((k) => k.toLowerCase() === f.v.toLowerCase());
    if (!field) throw invalid(`the field "${f.v}" cannot be searched; use one of ${Object.keys(MATCH_FIELDS).join(', ')}.`);
    if (this.isWord('in')) {
      this.i++;
      this.expectPunct('(');
      const values: string[] = [this.value()];
      while (this.isPunct(',')) {
        this.i++;
        values.push(this.value());
      }
      this.expectPunct(')');
      return { op: 'in', field, values };
    }
    this.expectPunct('=');
    if (this.isPunct('(') || this.isPunct('[')) {
      const fromInclusive = this.isPunct('[');
      this.i++;
      const from = this.isPunct(',') ? undefined : this.value();
      this.expectPunct(',');
      const to = this.isPunct(')') || this.isPunct(']') ? undefined : this.value();
      const toInclusive = this.isPunct(']');
      if (!toInclusive) this.expectPunct(')');
      else this.i++;
      if (MATCH_FIELDS[field] !== 'time') throw invalid(`${field} has no range query; only CreationTime and ModificationTime do.`);
      return { op: 'range', field, from, to, fromInclusive, toInclusive };
    }
    return { op: 'eq', field, value: this.value() };
  }

  private value(): string {
    const t = this.peek();
    if (t?.t === 'str' || t?.t === 'word') {
      this.i++;
      return t.v;
    }
    throw invalid(t ? `expected a value before "${t.v}".` : 'a value is missing at the end.');
  }
}

export function parseMatch(match: string): MatchNode | undefined {
  if (!match.trim()) return undefined;
  return new Parser(tokenize(match)).parse();
}

/** A time bound: ISO-8601 as VOD writes CreationTime, or epoch milliseconds. */
export function timeValue(v: string): number {
  const n = /^\d{10,}$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(n)) throw invalid(`"${v}" is not a time; write it as 2024-01-01T00:00:00Z.`);
  return n;
}

/** The creation-time window a Match pins at its top level (its `and`ed CreationTime ranges), for an index scan. */
export function creationWindow(node: MatchNode | undefined): { from: number; to: number } {
  const w = { from: -Infinity, to: Infinity };
  const visit = (n: MatchNode): void => {
    if (n.op === 'and') n.nodes.forEach(visit);
    else if (n.op === 'range' && n.field === 'CreationTime') {
      if (n.from !== undefined) w.from = Math.max(w.from, timeValue(n.from));
      if (n.to !== undefined) w.to = Math.min(w.to, timeValue(n.to));
    }
  };
  if (node) visit(node);
  return w;
}

/** What a predicate reads of one video. */
export interface MatchSubject {
  videoId: string;
  title: string;
  description?: string;
  cateId?: number;
  status: string;
  storageLocation: string;
  appId: string;
  tags: readonly string[];
  createdAt: number;
  modifiedAt: number;
  /** Full-text matching of the title (loose, see titleMatches in vod-api's search). */
  titleHas(query: string): boolean;
}

export function compileMatch(node: MatchNode | undefined, fuzzy: (text: string, query: string) => boolean): (v: MatchSubject) => boolean {
  if (!node) return () => true;
  const exact = (v: MatchSubject, field: string): string | undefined => {
    switch (field) {
      case 'VideoId': return v.videoId;
      case 'CateId': return v.cateId === undefined ? undefined : String(v.cateId);
      case 'Status': return v.status;
      case 'StorageLocation': return v.storageLocation;
      case 'AppId': return v.appId;
      default: return undefined;
    }
  };
  const one = (v: MatchSubject, field: string, value: string): boolean => {
    switch (MATCH_FIELDS[field]) {
      case 'fuzzy': return field === 'Title' ? v.titleHas(value) : fuzzy(v.description ?? '', value);
      case 'tags': return v.tags.includes(value);
      case 'time': return (field === 'CreationTime' ? v.createdAt : v.modifiedAt) === timeValue(value);
      default: return exact(v, field) === value;
    }
  };
  const build = (n: MatchNode): ((v: MatchSubject) => boolean) => {
    switch (n.op) {
      case 'and': {
        const fs = n.nodes.map(build);
        return (v) => fs.every((f) => f(v));
      }
      case 'or': {
        const fs = n.nodes.map(build);
        return (v) => fs.some((f) => f(v));
      }
      case 'eq': return (v) => one(v, n.field, n.value);
      case 'in': return (v) => n.values.some((x) => one(v, n.field, x));
      case 'range': {
        const from = n.from === undefined ? -Infinity : timeValue(n.from);
        const to = n.to === undefined ? Infinity : timeValue(n.to);
        return (v) => {
          const t = n.field === 'CreationTime' ? v.createdAt : v.modifiedAt;
          return (n.fromInclusive ? t >= from : t > from) && (n.toInclusive ? t <= to : t < to);
        };
      }
    }
  };
  return build(node);
}
