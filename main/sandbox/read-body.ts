// Reads a small request body (a form, an XML document) whole, refusing more than `max`
// bytes with the API's own error, so a runaway client cannot fill the sandbox's memory.

import type { IncomingMessage } from 'node:http';

export async function readSmallBody(req: IncomingMessage, max: number, tooLarge: () => Error): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of req) {
    n += (chunk as Buffer).length;
    if (n > max) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
