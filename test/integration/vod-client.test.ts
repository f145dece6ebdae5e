// VodClient and AliyunVodProvider against the sandbox: real pop-core signing over loopback,
// the sandbox's independent signature check, its faults and its catalog.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, NO_TRANSCODE_GROUP_ID, type Sandbox } from '../../main/sandbox';
import { classifyError, EngineError } from '../../main/engine/errors';
import type { RetryInfo } from '../../main/engine/retry';
import { AliyunVodProvider } from '../../main/engine/vod/aliyun-provider';
import { endpointNotFound, VodClient } from '../../main/engine/vod/vod-client';
import type { CategoryNode } from '../../shared/types';

let sb: Sandbox;

beforeAll(async () => {
  sb = await startSandbox();
});

afterAll(async () => {
  await sb.close();
});

beforeEach(() => {
  sb.faults.reset();
});

/** Backoff is recorded, not waited: the retry path is exercised without real delays. */
function client(overrides: { accessKeyId?: string; accessKeySecret?: string } = {}, onRetry?: (action: string, info: RetryInfo) => void): { vod: VodClient; waits: number[] } {
  const waits: number[] = [];
  const vod = new VodClient({
    credentials: {
      accessKeyId: overrides.accessKeyId ?? sb.accessKeyId,
      accessKeySecret: overrides.accessKeySecret ?? sb.accessKeySecret,
      region: sb.region,
      endpoint: sb.url,
    },
    sleep: async (ms) => { waits.push(ms); },
    onRetry,
  });
  return { vod, waits };
}

function requests(action: string): number {
  return sb.stats().requests[`vod:${action}`] ?? 0;
}

async function rejection(p: Promise<unknown>): Promise<EngineError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(EngineError);
    return err as EngineError;
  }
  throw new Error('expected a rejection');
}

describe('VodClient against the sandbox', () => {
  it('a signed call succeeds', async () => {
    const { vod } = client();
    const res = await vod.getCategories({ CateId: -1 });
    expect(res.RequestId).toBeTruthy();
    expect((res.SubCategories?.Category ?? []).map((c) => c.CateName)).toContain('Movies');
  });

  it('retries throttling and then succeeds', async () => {
    sb.faults.set({ throttleRate: 1 });
    const before = requests('ListWorkflow');
    const retries: RetryInfo[] = [];
    const { vod, waits } = client({}, (_action, info) => {
      retries.push(info);
      // The service stops throttling after the client has seen it twice.
      if (retries.length === 2) sb.faults.set({ throttleRate: 0 });
    });
    const res = await vod.listWorkflow();
    expect(res.WorkflowList?.length).toBeGreaterThan(0);
    expect(retries.map((r) => [r.attempt, r.error.kind, r.error.code])).toEqual([
      [1, 'throttled', 'Throttling.User'],
      [2, 'throttled', 'Throttling.User'],
    ]);
    expect(waits).toHaveLength(2);
    expect(requests('ListWorkflow') - before).toBe(3);
  });

  it('gives up on persistent throttling after the call policy\'s attempts', async () => {
    sb.faults.set({ throttleRate: 1 });
    const before = requests('ListAppInfo');
    const { vod } = client();
    const e = await rejection(vod.listAppInfo());
    expect(e).toMatchObject({ kind: 'throttled', retryable: true, code: 'Throttling.User' });
    expect(requests('ListAppInfo') - before).toBe(6);
  });

  it('retries injected 5xx errors', async () => {
    sb.faults.set({ errorRate: 1 });
    const retries: RetryInfo[] = [];
    const { vod } = client({}, (_a, info) => {
      retries.push(info);
      sb.faults.set({ errorRate: 0 });
    });
    await vod.listTranscodeTemplateGroup();
    expect(retries).toHaveLength(1);
    expect(retries[0].error.kind).toBe('server');
    expect(retries[0].error.retryable).toBe(true);
  });

  it('a wrong AccessKey ID is not retried and is an auth error with the service\'s code', async () => {
    const before = requests('GetCategories');
    const retries: RetryInfo[] = [];
    const { vod } = client({ accessKeyId: 'LTAI5tDoesNotExist000000' }, (_a, info) => retries.push(info));
    const e = await rejection(vod.getCategories());
    expect(e.kind).toBe('auth');
    expect(e.retryable).toBe(false);
    expect(e.code).toMatch(/^InvalidAccessKeyId/);
    expect(e.requestId).toBeTruthy();
    expect(e.hint).toMatch(/AccessKey ID and secret/);
    expect(retries).toHaveLength(0);
    expect(requests('GetCategories') - before).toBe(1);
  });

  it('a wrong secret gives SignatureDoesNotMatch, not retried, and never echoes the secret', async () => {
    const retries: RetryInfo[] = [];
    const { vod } = client({ accessKeySecret: 'wrong-secret-value-1234567890' }, (_a, info) => retries.push(info));
    const e = await rejection(vod.getCategories());
    expect(e.kind).toBe('auth');
    expect(e.code).toBe('SignatureDoesNotMatch');
    expect(retries).toHaveLength(0);
    expect(`${e.message} ${e.hint}`).not.toContain('wrong-secret-value-1234567890');
    expect(`${e.message} ${e.hint}`).not.toContain(sb.accessKeySecret);
  });

  it('an unknown video is notFound', async () => {
    const { vod } = client();
    const e = await rejection(vod.getVideoInfo('0000000000000000000000000000dead'));
    expect(e.kind).toBe('notFound');
    expect(e.retryable).toBe(false);
  });

  it('an abort stops the call as canceled', async () => {
    sb.faults.set({ throttleRate: 1 });
    const ac = new AbortController();
    const { vod } = client({}, () => ac.abort());
    const e = await rejection(vod.call('ListWorkflow', {}, { signal: ac.signal }));
    expect(e.kind).toBe('canceled');
  });

  it('CreateUploadVideo is sent once per call: a throttled answer goes back to the job, which records it and waits', async () => {
    sb.faults.set({ throttleRate: 1 });
    const before = requests('CreateUploadVideo');
    const retries: RetryInfo[] = [];
    const { vod } = client({}, (_a, info) => retries.push(info));
    const e = await rejection(vod.createUploadVideo({ Title: 't', FileName: 'a.mp4', FileSize: 1000 }));
    expect(e).toMatchObject({ kind: 'throttled', retryable: true, code: 'Throttling.User' });
    expect(retries).toHaveLength(0);
    expect(requests('CreateUploadVideo') - before).toBe(1);
  });

  it('CreateUploadVideo is not resent when the connection breaks after it was sent', async () => {
    // An outage destroys every connection without an answer: VOD may or may not have acted.
    sb.faults.set({ outageSeconds: 30 });
    const retries: RetryInfo[] = [];
    const { vod } = client({}, (_a, info) => retries.push(info));
    const e = await rejection(vod.createUploadVideo({ Title: 't', FileName: 'a.mp4', FileSize: 1000 }));
    expect(e.kind).toBe('network');
    // Not resent by the client; the job retries later, after looking for the video (job-runner).
    expect(e.code).toBe('CreateOutcomeUnknown');
    expect(e.retryable).toBe(true);
    expect(e.hint).toMatch(/looks for that video before creating another/);
    expect(retries).toHaveLength(0);
    // A read-only call in the same outage is retried.
    const readRetries: RetryInfo[] = [];
    const { vod: reader } = client({}, (_a, info) => {
      readRetries.push(info);
      sb.faults.set({ outageSeconds: 0 });
    });
    await reader.listWorkflow();
    expect(readRetries).toHaveLength(1);
    expect(readRetries[0].error.kind).toBe('network');
  });

  it('an endpoint whose name does not exist is a configuration error, not a wait', async () => {
    // A reserved name (RFC 6761 .invalid): the resolver answers ENOTFOUND, like vod.cn-hangzhou.aliyuncs.com.
    const retries: RetryInfo[] = [];
    const vod = new VodClient({
      credentials: { accessKeyId: sb.accessKeyId, accessKeySecret: sb.accessKeySecret, region: 'cn-hangzhou', endpoint: 'http://vod.cn-hangzhou.invalid' },
      sleep: async () => undefined,
      onRetry: (_a, info) => retries.push(info),
    });
    const e = await rejection(vod.getVideoInfo('0000000000000000000000000000dead'));
    expect(e.code).toBe('VodEndpointNotFound');
    expect(e.kind).toBe('parameter');
    expect(e.retryable).toBe(false);
    expect(e.message).toContain('vod.cn-hangzhou.invalid');
    expect(e.hint).toMatch(/Check the region \(VOD serves cn-shanghai, .*\) and the endpoint/);
    expect(retries).toHaveLength(0);
  });

  it('a name VOD documents that does not resolve is the network (an offline resolver), and EAI_AGAIN always is', () => {
    const dns = (code: string, host: string) => classifyError(Object.assign(new Error(`getaddrinfo ${code} ${host}`), { code, syscall: 'getaddrinfo', hostname: host }));
    expect(endpointNotFound(dns('ENOTFOUND', 'vod.cn-shanghai.aliyuncs.com'), 'https://vod.cn-shanghai.aliyuncs.com')).toBeUndefined();
    expect(endpointNotFound(dns('ENOTFOUND', 'vod-vpc.eu-central-1.aliyuncs.com'), 'https://vod-vpc.eu-central-1.aliyuncs.com')).toBeUndefined();
    expect(endpointNotFound(dns('EAI_AGAIN', 'vod.cn-hangzhou.aliyuncs.com'), 'https://vod.cn-hangzhou.aliyuncs.com')).toBeUndefined();
    expect(endpointNotFound(dns('ENOTFOUND', 'vod.cn-hangzhou.aliyuncs.com'), 'https://vod.cn-hangzhou.aliyuncs.com')?.code).toBe('VodEndpointNotFound');
  });
});

describe('AliyunVodProvider against the sandbox', () => {
  function provider(): AliyunVodProvider {
    return new AliyunVodProvider(client().vod);
  }

  it('createUpload returns a decodable address and credential', async () => {
    const before = Date.now();
    const created = await provider().createUpload({
      fileName: 'holiday.mp4',
      size: 5 * 1024 * 1024,
      meta: { title: 'Holiday 2024', tags: ['travel', '海边'], description: 'Beach', cateId: 1000003 },
    });
    expect(created.videoId).toMatch(/^[0-9a-f]{32}$/);
    expect(created.address.endpoint).toBe(sb.url);
    expect(created.address.bucket).toBe(sb.bucket);
    expect(created.address.objectKey).toMatch(/\.mp4$/);
    expect(created.credential.accessKeyId).toBeTruthy();
    expect(created.credential.accessKeySecret).toBeTruthy();
    expect(created.credential.securityToken).toBeTruthy();
    // 3000 s, within the seconds resolution of ExpireUTCTime.
    expect(created.credential.expiresAt).toBeGreaterThan(before + 2990_000);
    expect(created.credential.expiresAt).toBeLessThan(Date.now() + 3010_000);
    const v = sb.video(created.videoId);
    expect(v?.title).toBe('Holiday 2024');
    expect(v?.tags).toEqual(['travel', '海边']);
  });

  it('refreshUpload returns the same address and a different credential', async () => {
    const p = provider();
    const created = await p.createUpload({ fileName: 'a.mov', size: 1_000_000, meta: { title: 'A', tags: [] } });
    const refreshed = await p.refreshUpload(created.videoId);
    expect(refreshed.address).toEqual(created.address);
    expect(refreshed.credential.accessKeyId).not.toBe(created.credential.accessKeyId);
    expect(refreshed.credential.securityToken).not.toBe(created.credential.securityToken);
    expect(await p.getVideoStatus(created.videoId)).toBe('Uploading');
  });

  it('createUpload validates first and lists every problem without calling VOD', async () => {
    const before = sb.stats().createUploadVideo;
    const e = await rejection(provider().createUpload({
      fileName: 'notes.txt',
      size: 10,
      meta: { title: 'x'.repeat(129), tags: Array.from({ length: 17 }, (_, i) => `t${i}`) },
    }));
    expect(e.kind).toBe('parameter');
    expect(e.message).toMatch(/Title has 129 characters/);
    expect(e.message).toMatch(/17 tags/);
    expect(e.message).toMatch(/\.txt/);
    expect(sb.stats().createUploadVideo).toBe(before);
  });

  it('the catalog is a 3-level category tree with the no-transcode group flagged', async () => {
    const catalog = await provider().getCatalog();
    const movies = catalog.categories.find((c) => c.name === 'Movies');
    expect(movies).toBeDefined();
    const action = movies!.children.find((c) => c.name === 'Action');
    expect(action?.parentId).toBe(movies!.cateId);
    const classics = action!.children.find((c) => c.name === 'Classics');
    expect(classics).toMatchObject({ cateId: 1000003, level: 2, parentId: action!.cateId, children: [] });
    const depth = (nodes: CategoryNode[]): number => (nodes.length === 0 ? 0 : 1 + Math.max(...nodes.map((n) => depth(n.children))));
    expect(depth(catalog.categories)).toBe(3);

    const noTranscode = catalog.templateGroups.filter((g) => g.noTranscode);
    expect(noTranscode.map((g) => g.id)).toEqual([NO_TRANSCODE_GROUP_ID]);
    expect(catalog.templateGroups.filter((g) => g.isDefault)).toHaveLength(1);
    expect(catalog.workflows.length).toBeGreaterThan(0);
    expect(catalog.apps.map((a) => a.appId)).toContain('app-1000000');
    expect(catalog.refused).toEqual([]);
  });

  it('a RAM user allowed to upload only gets the parts it may read and which ones VOD refused', async () => {
    const { vod } = client(sb.uploadOnly);
    const before = sb.stats().errors['Forbidden.RAM'] ?? 0;
    const catalog = await new AliyunVodProvider(vod).getCatalog();
    expect(catalog.refused.map((r) => [r.part, r.code])).toEqual([
      ['categories', 'Forbidden.RAM'], ['templateGroups', 'Forbidden.RAM'], ['workflows', 'Forbidden.RAM'], ['apps', 'Forbidden.RAM'],
    ]);
    expect(catalog.refused[0].message).toMatch(/not authorized/i);
    expect(catalog).toMatchObject({ categories: [], templateGroups: [], workflows: [], apps: [{ appId: 'app-1000000' }] });
    // Each refusal came from the service, once (a refusal is not retried).
    expect((sb.stats().errors['Forbidden.RAM'] ?? 0) - before).toBe(4);
  });

  it('a catalog that cannot be read for another reason fails, to be asked again', async () => {
    sb.faults.set({ errorRate: 1 });
    const e = await rejection(new AliyunVodProvider(client().vod).getCatalog());
    expect(e.retryable).toBe(true);
  });

  it('the category tree walks every page', async () => {
    const { vod } = client();
    // More children than one GetCategories page (100) under one parent.
    const parent = await vod.addCategory(`Paged ${Date.now()}`);
    const parentId = Number(parent.Category.CateId);
    for (let i = 0; i < 105; i++) await vod.addCategory(`Child ${i}`, parentId);
    const tree = await vod.getCategoryTree();
    const node = tree.find((c) => c.cateId === parentId);
    expect(node?.children).toHaveLength(105);
  });

  it('testConnection: ok with the right key, the service\'s own code and message with a wrong one', async () => {
    expect(await provider().testConnection()).toMatchObject({ ok: true });
    const bad = new AliyunVodProvider(client({ accessKeyId: 'LTAI5tDoesNotExist000000' }).vod);
    const result = await bad.testConnection();
    expect(result.ok).toBe(false);
    expect(result.code).toMatch(/^InvalidAccessKeyId/);
    expect(result.message).toBeTruthy();
    expect(result.message).not.toMatch(/URL:/);
    expect(result.requestId).toBeTruthy();
  });

  it('testConnection passes a RAM user that may upload but not read the catalog: its 403 Forbidden.RAM proves the key', async () => {
    const limited = new AliyunVodProvider(client(sb.uploadOnly).vod);
    const result = await limited.testConnection();
    expect(result).toMatchObject({ ok: true, catalogDenied: true, code: 'Forbidden.RAM' });
    expect(result.requestId).toBeTruthy();
    // The refusal really came from the catalog call.
    await expect(limited.client.getCategories()).rejects.toMatchObject({ code: 'Forbidden.RAM', kind: 'permission' });
    const wrongSecret = await new AliyunVodProvider(client({ accessKeyId: sb.uploadOnly.accessKeyId, accessKeySecret: 'not-it' }).vod).testConnection();
    expect(wrongSecret).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
    expect(wrongSecret.catalogDenied).toBeUndefined();
  });
});
