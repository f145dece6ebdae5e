import { spawn } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import Database from 'better-sqlite3';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openQueueStore, type PartRecord } from '../../main/engine/store';

// Crash safety: a child process writes through the real store and is killed with
// SIGKILL at an arbitrary moment; the file must then open cleanly, pass SQLite's
// integrity check, hold every commit the child had returned from, and keep bytes_done
// equal to the sum of the parts. The child runs the store's own code, transpiled here
// from TypeScript (Node 20 cannot load .ts, and out/ may hold someone else's build).

const ROOT = path.resolve(__dirname, '../..');
const CHILD = path.join(ROOT, 'test/fixtures/store-crash-child.js');
let work: string;
let compiledStore: string;

/** Transpiles a module and every module it imports by relative path into outDir. */
function transpileTree(entry: string, outDir: string): string {
  const pending = [path.join(ROOT, entry)];
  const done = new Set<string>();
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (done.has(file)) continue;
    done.add(file);
    const src = fs.readFileSync(file, 'utf8');
    for (const imp of ts.preProcessFile(src, true, true).importedFiles) {
      if (!imp.fileName.startsWith('.')) continue;
      const base = path.resolve(path.dirname(file), imp.fileName);
      pending.push(fs.existsSync(`${base}.ts`) ? `${base}.ts` : path.join(base, 'index.ts'));
    }
    const js = ts.transpileModule(src, {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    }).outputText;
    const out = path.join(outDir, path.relative(ROOT, file)).replace(/\.ts$/, '.js');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, js);
  }
  return path.join(outDir, entry).replace(/\.ts$/, '.js');
}

/** Runs the child until `enough(lines)` holds, SIGKILLs it, and returns every line it printed. */
function runUntilKilled(dbPath: string, args: string[], enough: (lines: string[]) => boolean): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, compiledStore, dbPath, ...args], {
      env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let partial = '';
    let stderr = '';
    let killed = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop()!; // a line cut by the kill is not a promise
      lines.push(...parts);
      if (!killed && enough(lines)) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('error', reject);
    // Not a sleep: a bound that turns a stuck child into a failure that says what it saw.
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`The child printed ${lines.length} lines in 90 s without meeting the kill condition. stderr: ${stderr}`));
    }, 90_000);
    child.on('close', () => clearTimeout(guard));
    // 'close' comes after the pipes are drained: lines written before the kill count.
    child.on('close', (code, signal) => {
      if (signal === 'SIGKILL') resolve(lines);
      else reject(new Error(`The child exited by itself (code ${code}): ${stderr}`));
    });
  });
}

/** The child's k-th commit (same formula as in the fixture). */
function partAt(k: number): PartRecord {
  return { partNumber: (k % 200) + 1, etag: `"${k.toString(16)}"`, size: 1000 + ((k * 7919) % 4096), crc64: String(k) };
}

function stateAfter(commits: number): PartRecord[] {
  const m = new Map<number, PartRecord>();
  for (let k = 0; k < commits; k++) m.set(partAt(k).partNumber, partAt(k));
  return [...m.values()].sort((a, b) => a.partNumber - b.partNumber);
}

function checkFile(dbPath: string): void {
  const s = openQueueStore(dbPath);
  try {
    expect(s.integrityCheck()).toBe('ok');
  } finally {
    s.close();
  }
  const raw = new Database(dbPath, { readonly: true });
  const drift = raw.prepare(
    'SELECT COUNT(*) FROM jobs j WHERE bytes_done != (SELECT COALESCE(SUM(size), 0) FROM parts WHERE job_id = j.id)',
  ).pluck().get();
  raw.close();
  expect(drift).toBe(0);
}

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'vod-store-crash-'));
  compiledStore = transpileTree('main/engine/store/index.ts', path.join(work, 'build'));
});

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

describe('crash safety (SIGKILL mid-write)', () => {
  it('keeps every returned part commit and bytes_done consistent, over three kills', async () => {
    const dbPath = path.join(work, 'parts.db');
    const setup = openQueueStore(dbPath);
    const [jobId] = setup.insertJobs([{ path: '/in/big.mov', fileName: 'big.mov', size: 1e9, mtimeMs: 0, meta: { title: 'Big', tags: [] } }]);
    setup.close();

    for (let round = 0; round < 3; round++) {
      const lines = await runUntilKilled(dbPath, ['parts', String(jobId)], (l) => l.length >= 300 + round * 100 + Math.floor(Math.random() * 300));
      const promised = lines.length;
      expect(lines[promised - 1]).toBe(String(promised - 1)); // the child reported commits in order

      checkFile(dbPath);
      const s = openQueueStore(dbPath);
      const parts = s.listParts(jobId);
      const bytesDone = s.getJob(jobId)!.bytesDone;
      s.close();
      // Every commit the child returned from is there; at most one more that it could
      // not report before it died.
      const candidates = [stateAfter(promised), stateAfter(promised + 1)];
      expect(candidates).toContainEqual(parts);
      expect(bytesDone).toBe(parts.reduce((n, p) => n + p.size, 0));
    }
  });

  it('a batch insert is all or nothing when the process dies inside it', async () => {
    const dbPath = path.join(work, 'insert.db');
    openQueueStore(dbPath).close();
    const batch = 4000;
    const committed = (lines: string[]): number => lines.filter((l) => /^\d+$/.test(l)).length;
    // Kill as soon as batch 5 has begun its transaction (the child says so from inside it).
    const lines = await runUntilKilled(dbPath, ['insert', String(batch)], (l) => committed(l) >= 4 && l[l.length - 1].startsWith('begin'));
    checkFile(dbPath);
    const s = openQueueStore(dbPath);
    const n = s.totals().jobs;
    s.close();
    expect(n % batch).toBe(0);
    expect([committed(lines), committed(lines) + 1]).toContain(n / batch);
  });
});
