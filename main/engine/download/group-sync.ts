// fdatasync of a download's temporary file, shared by the ranges that ask at once.
//
// An fdatasync covers every byte written to the file before it began, whichever range
// wrote it. So a range that asks while one is under way cannot use that one (its bytes
// may have come after it began) but can share the next: one follow-up sync serves all
// who asked meanwhile (a group commit). With six ranges in flight the disk sees a sync
// per batch of finished ranges rather than one per range, and no range's checkpoint
// (download-driver.ts) is written before a sync that began after its last byte.

import fs from 'node:fs';

export class GroupSync {
  private running: Promise<void> | undefined;
  private next: Promise<void> | undefined;
  /** How many fdatasyncs ran (tests, diagnostics). */
  syncs = 0;

  constructor(private readonly fd: number) {}

  /** Resolves once an fdatasync that began after this call has finished. */
  sync(): Promise<void> {
    if (!this.running && !this.next) {
      this.running = this.start();
      return this.running;
    }
    this.next ??= (this.running ?? Promise.resolve()).then(
      () => undefined,
      () => undefined,
    ).then(() => {
      this.next = undefined;
      this.running = this.start();
      return this.running;
    });
    return this.next;
  }

  private start(): Promise<void> {
    this.syncs++;
    const p = new Promise<void>((resolve, reject) => fs.fdatasync(this.fd, (err) => (err ? reject(err) : resolve())));
    const clear = (): void => {
      if (this.running === p) this.running = undefined;
    };
    p.then(clear, clear);
    return p;
  }
}
