// Where uploaded bytes go. The disk store keeps each part (or put object) as its own
// file and a completed multipart object as the list of its part files, so completing
// never copies data. The null store drops the bytes: sizes and hashes are computed on
// the way in by the caller, which lets benchmarks push multi-terabyte sparse files.
import fs from 'fs';
import path from 'path';
import { PassThrough, Readable, Writable } from 'stream';
import { hexId } from './ids';
import type { Segment } from './state';

export interface IncomingFile {
  /** Where to pipe the body. */
  stream: Writable;
  /** Makes the received bytes visible under `relPath` (replacing an older file); returns that path. */
  commit(): Promise<string | undefined>;
  /** Throws away a body that failed or was refused. */
  discard(): Promise<void>;
}

export interface ObjectStore {
  readonly kind: 'disk' | 'null';
  receive(relPath: string): IncomingFile;
  /** Bytes [start, end] inclusive of an object made of `segments`; undefined for the null store. */
  read(segments: readonly Segment[], start: number, end: number): Readable | undefined;
  remove(relPaths: readonly string[]): Promise<void>;
  removeDir(relDir: string): Promise<void>;
}

export class DiskStore implements ObjectStore {
  readonly kind = 'disk' as const;
  constructor(private readonly root: string) {
    fs.mkdirSync(root, { recursive: true });
  }

  private abs(rel: string): string {
    const p = path.resolve(this.root, rel);
    if (!p.startsWith(path.resolve(this.root) + path.sep)) throw new Error(`path escapes the store: ${rel}`);
    return p;
  }

  receive(relPath: string): IncomingFile {
    const final = this.abs(relPath);
    fs.mkdirSync(path.dirname(final), { recursive: true });
    // Each body is written to its own temporary file and renamed into place when it
    // is complete, so two uploads of the same part number never interleave bytes.
    const tmp = `${final}.${hexId(6)}.tmp`;
    const stream = fs.createWriteStream(tmp);
    const closed = new Promise<void>((resolve) => {
      if (stream.closed) resolve();
      else stream.once('close', () => resolve());
    });
    return {
      stream,
      commit: async () => {
        await closed;
        await fs.promises.rename(tmp, final);
        return relPath;
      },
      discard: async () => {
        if (!stream.destroyed) stream.destroy();
        await closed;
        await fs.promises.rm(tmp, { force: true });
      },
    };
  }

  read(segments: readonly Segment[], start: number, end: number): Readable {
    const out = new PassThrough();
    const abs = segments.map((s) => ({ file: this.abs(s.file), size: s.size }));
    void (async () => {
      let offset = 0;
      try {
        for (const seg of abs) {
          const segStart = offset;
          const segEnd = offset + seg.size - 1;
          offset += seg.size;
          if (seg.size === 0 || segEnd < start || segStart > end) continue;
          const from = Math.max(start, segStart) - segStart;
          const to = Math.min(end, segEnd) - segStart;
          const src = fs.createReadStream(seg.file, { start: from, end: to });
          for await (const chunk of src) {
            if (!out.write(chunk)) {
              await new Promise<void>((r) => {
                // Whichever comes first; the other listener goes, or they pile up per chunk.
                const done = (): void => {
                  out.off('drain', done);
                  out.off('close', done);
                  r();
                };
                out.once('drain', done);
                out.once('close', done);
              });
            }
            if (out.destroyed) return;
          }
        }
        out.end();
      } catch (err) {
        out.destroy(err as Error);
      }
    })();
    return out;
  }

  async remove(relPaths: readonly string[]): Promise<void> {
    await Promise.all(relPaths.map((p) => fs.promises.rm(this.abs(p), { force: true })));
  }

  async removeDir(relDir: string): Promise<void> {
    await fs.promises.rm(this.abs(relDir), { recursive: true, force: true });
  }
}

export class NullStore implements ObjectStore {
  readonly kind = 'null' as const;

  receive(): IncomingFile {
    const stream = new Writable({ write: (_chunk, _enc, cb) => cb() });
    return { stream, commit: async () => undefined, discard: async () => { stream.destroy(); } };
  }

  read(): undefined {
    return undefined;
  }

  async remove(): Promise<void> {}
  async removeDir(): Promise<void> {}
}
