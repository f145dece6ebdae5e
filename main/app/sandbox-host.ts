// The embedded sandbox behind the "Sandbox" profile: started once, on first use, in
// this process; a failed start is not cached so the next use tries again.

import type { SandboxHandle, StartSandbox } from './ports';

export class SandboxHost {
  private running?: Promise<SandboxHandle>;
  private closed = false;

  constructor(private readonly start: StartSandbox, private readonly dataDir: string) {}

  ensure(): Promise<SandboxHandle> {
    if (this.closed) return Promise.reject(new Error('The application is shutting down.'));
    if (!this.running) {
      this.running = this.start({ dataDir: this.dataDir }).catch((err: unknown) => {
        this.running = undefined;
        throw new Error(`The built-in sandbox did not start: ${(err as Error).message}`);
      });
    }
    return this.running;
  }

  get started(): boolean {
    return this.running !== undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    const running = this.running;
    this.running = undefined;
    if (running) await (await running.catch(() => undefined))?.close();
  }
}
