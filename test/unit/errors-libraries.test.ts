// classifyError on errors thrown by the real, unmodified clients — @alicloud/pop-core and
// ali-oss — against a loopback HTTP server that answers the way VOD and OSS fail.

import http from 'http';
import type { AddressInfo } from 'net';
import OSS from 'ali-oss';
import RPCClient from '@alicloud/pop-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyError, isCredentialRefreshError } from '../../main/engine/errors';

type Reply = (req: http.IncomingMessage, res: http.ServerResponse) => void;
let reply: Reply = (_req, res) => res.end();
let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => reply(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function vodReplies(status: number, body: object): Reply {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
}

function ossReplies(status: number, code: string, message: string, requestId: string): Reply {
  return (req, res) => {
    res.writeHead(status, { 'content-type': 'application/xml', 'x-oss-request-id': requestId });
    res.end(req.method === 'HEAD' ? undefined
      : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>${requestId}</RequestId><HostId>b.oss</HostId></Error>`);
  };
}

function vodClient(endpoint = base): RPCClient {
  return new RPCClient({ endpoint, apiVersion: '2017-03-21', accessKeyId: 'LTAIkey', accessKeySecret: 'secret' });
}

function ossClient(endpoint = base): OSS {
  return new OSS({
    endpoint, bucket: 'vod-test-bucket', region: 'oss-cn-shanghai', accessKeyId: 'STS.key', accessKeySecret: 'secret', stsToken: 'token',
    timeout: 5000,
  });
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('pop-core errors', () => {
  it('Throttling.User → throttled, retryable, with the request id and status', async () => {
    reply = vodReplies(400, { RequestId: 'R-1', HostId: 'vod', Code: 'Throttling.User', Message: 'Request was denied due to user flow control.' });
    const e = classifyError(await rejection(vodClient().request('GetCategories', {}, { method: 'POST' })));
    expect(e).toMatchObject({ kind: 'throttled', retryable: true, code: 'Throttling.User', requestId: 'R-1', status: 400 });
    expect(e.message).toBe('Request was denied due to user flow control.');
  });

  it('InvalidAccessKeyId.NotFound → auth, not retryable, with the service message', async () => {
    reply = vodReplies(404, { RequestId: 'R-2', HostId: 'vod', Code: 'InvalidAccessKeyId.NotFound', Message: 'Specified access key is not found.' });
    const e = classifyError(await rejection(vodClient().request('GetCategories', {}, { method: 'POST' })));
    expect(e).toMatchObject({ kind: 'auth', retryable: false, code: 'InvalidAccessKeyId.NotFound', requestId: 'R-2', status: 404 });
    expect(e.hint).toMatch(/AccessKey ID and secret/);
  });

  it('a GET request\'s URL (with AccessKeyId and Signature) does not leak into the message', async () => {
    reply = (_req, res) => res.destroy();
    const e = classifyError(await rejection(vodClient().request('GetCategories', {}, { method: 'GET' })));
    expect(e.kind).toBe('network');
    expect(e.message).not.toMatch(/LTAIkey|Signature=[^…]/);
  });

  it('an HTML page from a gateway → server, retryable', async () => {
    reply = (_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body>Bad gateway</body></html>');
    };
    const e = classifyError(await rejection(vodClient().request('GetCategories', {}, { method: 'POST' })));
    expect(e).toMatchObject({ kind: 'server', retryable: true, code: 'InvalidResponse' });
  });

  it('a read timeout → network, retryable', async () => {
    reply = () => { /* never answers */ };
    const e = classifyError(await rejection(vodClient().request('GetCategories', {}, { method: 'POST', timeout: 200 })));
    expect(e).toMatchObject({ kind: 'network', retryable: true });
  });

  it('a refused connection → network ECONNREFUSED', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const e = classifyError(await rejection(vodClient(`http://127.0.0.1:${port}`).request('GetCategories', {}, { method: 'POST' })));
    expect(e).toMatchObject({ kind: 'network', retryable: true, code: 'ECONNREFUSED' });
  });
});

describe('ali-oss errors', () => {
  it('SecurityTokenExpired → credentialExpired, refresh the lease', async () => {
    reply = ossReplies(403, 'SecurityTokenExpired', 'The security token you provided has expired.', 'OSS-1');
    const e = classifyError(await rejection(ossClient().initMultipartUpload('k')));
    expect(e).toMatchObject({ kind: 'credentialExpired', code: 'SecurityTokenExpired', requestId: 'OSS-1', status: 403 });
    expect(isCredentialRefreshError(e)).toBe(true);
  });

  it('NoSuchUpload → notFound', async () => {
    reply = ossReplies(404, 'NoSuchUpload', 'The specified upload does not exist.', 'OSS-2');
    const e = classifyError(await rejection(ossClient().listParts('k', 'upload-1', { 'max-parts': 1000, 'part-number-marker': 0, 'encoding-type': 'url' })));
    expect(e).toMatchObject({ kind: 'notFound', code: 'NoSuchUpload', retryable: false, requestId: 'OSS-2' });
  });

  it('RequestTimeTooSkewed → auth with a clock hint', async () => {
    reply = ossReplies(403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', 'OSS-3');
    const e = classifyError(await rejection(ossClient().initMultipartUpload('k')));
    expect(e.kind).toBe('auth');
    expect(e.hint).toMatch(/system clock/);
  });

  it('a reset connection → network, retryable', async () => {
    reply = (_req, res) => res.destroy();
    const e = classifyError(await rejection(ossClient().initMultipartUpload('k')));
    expect(e).toMatchObject({ kind: 'network', retryable: true });
  });

  it('a HEAD 404 (no body) → notFound', async () => {
    reply = ossReplies(404, 'NoSuchKey', '', 'OSS-4');
    const e = classifyError(await rejection(ossClient().head('missing')));
    expect(e).toMatchObject({ kind: 'notFound', code: 'NoSuchKey' });
  });
});
