// The rules added for the real service's transient answers, VOD statuses and lost
// create answers: OSS codes, transport messages, status outcomes, and which create
// requests are still unaccounted for.
import { describe, expect, it } from 'vitest';
import { classifyError, describeTransport, EngineError, isOutcomeUnknown, toJobError } from '../../main/engine/errors';
import { unansweredCreates } from '../../main/engine/job-runner';
import { droppedUrllibWarnings, withoutUrllibWarnings } from '../../main/engine/oss/quiet-urllib';
import { statusOutcome } from '../../main/engine/status-poller';
import { VOD_STATUSES } from '../../shared/types';

/** The error ali-oss's requestError builds from an OSS XML error body (lib/client.js). */
function aliOssError(code: string, status: number, message = 'msg'): Error {
  return Object.assign(new Error(message), { name: `${code}Error`, status, code, requestId: 'OSS-REQ-1' });
}

/** What ali-oss rejects with when urllib's socket breaks: status -1 and urllib's whole report. */
function urllibReset(): Error {
  return Object.assign(new Error(
    'read ECONNRESET, PUT http://127.0.0.1:40001/sv/a/a.mp4?partNumber=1&uploadId=ABC -1 (connected: true, keepalive socket: false, ' +
    'agent status: {"createSocketCount":2}, socketHandledRequests: 1, socketHandledResponses: 0)\nheaders: {}',
  ), { name: 'ResponseError', code: 'ResponseError', status: -1 });
}

describe('OSS transient codes', () => {
  it('retries 400 RequestTimeout (the socket sat idle), with a hint about slow links', () => {
    const e = classifyError(aliOssError('RequestTimeout', 400, 'Your socket connection to the server was not read from or written to within the timeout period.'));
    expect({ kind: e.kind, retryable: e.retryable, status: e.status }).toEqual({ kind: 'network', retryable: true, status: 400 });
    expect(e.hint).toMatch(/sent again/);
  });

  it('backs off on the 503 rate-limit family and retries ServiceUnavailable', () => {
    for (const code of ['UploadTrafficRateLimitExceeded', 'DownloadTrafficRateLimitExceeded', 'TotalQpsLimitExceeded', 'MetaOperationQpsLimitExceeded', 'ActiveRequestLimitExceeded', 'CpuLimitExceeded', 'SlowDown']) {
      const e = classifyError(aliOssError(code, 503));
      expect({ code, kind: e.kind, retryable: e.retryable }).toEqual({ code, kind: 'throttled', retryable: true });
    }
    expect(classifyError(aliOssError('ServiceUnavailable', 503)).retryable).toBe(true);
  });

  it('keeps a refused request refused: a 400 that is not RequestTimeout is a parameter error', () => {
    expect(classifyError(aliOssError('InvalidArgument', 400)).retryable).toBe(false);
  });
});

describe('describeTransport', () => {
  it('says which service could not be reached and what broke; the library text goes to detail', () => {
    const e = describeTransport(urllibReset(), 'OSS', 'oss-cn-shanghai.aliyuncs.com');
    expect(e.message).toBe('Could not reach OSS (oss-cn-shanghai.aliyuncs.com): the connection was cut.');
    expect(e.retryable).toBe(true);
    expect(e.hint).toMatch(/continues by itself when the network is back/);
    expect(e.detail).toMatch(/ECONNRESET/);
    // Query strings (signatures, tokens) never survive, even in the detail.
    expect(e.detail).not.toMatch(/uploadId=ABC/);
    expect(toJobError(e)).not.toHaveProperty('detail');
  });

  it('names refused connections, DNS and timeouts in plain words', () => {
    const cases: Array<[Error, RegExp]> = [
      [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED', syscall: 'connect' }), /refused/],
      [Object.assign(new Error('getaddrinfo ENOTFOUND vod.cn-hangzhou.aliyuncs.com'), { code: 'ENOTFOUND', syscall: 'getaddrinfo' }), /host name could not be resolved/],
      [Object.assign(new Error('Response timeout for 60000ms'), { name: 'ResponseTimeoutError', status: -2 }), /did not answer in time/],
    ];
    for (const [err, reason] of cases) expect(describeTransport(err, 'VOD', 'vod.cn-shanghai.aliyuncs.com').message).toMatch(reason);
    // httpx's connect timeout keeps its telling words in detail (VodClient reads them to
    // know the request never left).
    const connect = describeTransport(Object.assign(new Error('ConnectTimeout: connect timeout for 15000ms'), { name: 'RequestTimeoutError' }), 'VOD', 'h');
    expect(connect.message).toBe('Could not reach VOD (h): no connection could be made in time.');
    expect(connect.detail).toMatch(/ConnectTimeout/);
  });

  it('leaves service answers and our own errors alone', () => {
    const answered = describeTransport(aliOssError('RequestTimeout', 400, 'Your socket connection…'), 'OSS', 'h');
    expect(answered.message).toBe('Your socket connection…');
    const ours = new EngineError({ kind: 'network', code: 'PartStalled', message: 'No bytes moved for 60 s; the part is sent again.' });
    expect(describeTransport(ours, 'OSS', 'h')).toBe(ours);
  });

  it('knows a lost create answer by its code only', () => {
    expect(isOutcomeUnknown(new EngineError({ kind: 'network', code: 'CreateOutcomeUnknown', message: 'm' }))).toBe(true);
    expect(isOutcomeUnknown(new EngineError({ kind: 'throttled', code: 'Throttling.User', message: 'm' }))).toBe(false);
  });
});

describe('VOD status outcomes', () => {
  it('maps every documented status, and polls on for one it does not know', () => {
    const outcomes = Object.fromEntries(VOD_STATUSES.map((s) => [s, statusOutcome(s)]));
    expect(outcomes).toEqual({
      Uploading: 'poll', UploadSucc: 'poll', Transcoding: 'poll', Preparing: 'poll',
      Normal: 'ready', Checking: 'review',
      UploadFail: 'failed', TranscodeFail: 'failed', PrepareFail: 'failed', ProduceFail: 'failed', Blocked: 'failed',
    });
    expect(statusOutcome('SomethingNew')).toBe('poll');
    expect(statusOutcome('toString')).toBe('poll');
  });
});

describe('unansweredCreates', () => {
  const ev = (type: string, at: number) => ({ type, at });
  it('counts a create sent and never answered, including one cut off by a crash', () => {
    expect(unansweredCreates([ev('create-sent', 1)])).toEqual([1]);
    expect(unansweredCreates([ev('create-sent', 1), ev('create-sent', 5)])).toEqual([1, 5]);
  });
  it('does not count one the service answered (throttled, refused), nor any settled by a search', () => {
    expect(unansweredCreates([ev('create-sent', 1), ev('create-refused', 2)])).toEqual([]);
    expect(unansweredCreates([ev('create-sent', 1), ev('create-sent', 3), ev('create-refused', 4)])).toEqual([1]);
    expect(unansweredCreates([ev('create-sent', 1), ev('create-sent', 3), ev('create-checked', 4), ev('create-sent', 6)])).toEqual([6]);
    expect(unansweredCreates([ev('create-sent', 1), ev('adopted', 2)])).toEqual([]);
  });
});

describe('quiet-urllib', () => {
  it('drops only urllib\'s own warnings', () => {
    const passed: unknown[][] = [];
    const warn = withoutUrllibWarnings((...args) => passed.push(args));
    const before = droppedUrllibWarnings();
    warn('[urllib:warn] [%s] [%s] [worker:%s] %s %s callback twice!!!', 'date', 1, 2, 'PUT', 'http://x');
    warn('[urllib:warn] [%s] [%s] [worker:%s] %s: %s\nstack: %s', 'date', 1, 2, 'Error', 'boom', 'stack');
    warn('a warning of our own', 42);
    warn({ not: 'a string' });
    expect(droppedUrllibWarnings()).toBe(before + 2);
    expect(passed).toEqual([['a warning of our own', 42], [{ not: 'a string' }]]);
  });

  it('is installed on console.warn once the engine\'s OSS module is loaded', async () => {
    await import('../../main/engine/oss/oss-session');
    const before = droppedUrllibWarnings();
    console.warn('[urllib:warn] callback twice!!!');
    expect(droppedUrllibWarnings()).toBe(before + 1);
  });
});
