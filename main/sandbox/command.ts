// `vodup sandbox`: starts the sandbox and prints one JSON line with what a client
// needs to reach it, then keeps serving until the process is told to stop.
import { parseFaults, startSandbox, type Sandbox, type SandboxTencentInfo } from './index';

export interface SandboxCommandOptions {
  port?: number;
  /** Data directory (state and disk store); default a fresh temporary directory. */
  data?: string;
  store?: 'disk' | 'null';
  /** Part ETags from MD5 (as OSS) or from the CRC-64 (client benchmarks); see SandboxOptions.etag. */
  etag?: 'md5' | 'crc64';
  /** "errorRate=0.1,resetRate=0.05,outageSeconds=20,credentialTtlSeconds=5" */
  faults?: string;
  /** Review before publishing: complete videos end in Checking (SandboxOptions.review). */
  review?: boolean;
  /** SearchMedia lags creation by this many ms (SandboxOptions.searchLagMs). */
  searchLagMs?: number;
  /** STS credentials may not ListParts/HeadObject (SandboxOptions.ossDenyList). */
  ossDenyList?: boolean;
}

export async function runSandboxCommand(opts: SandboxCommandOptions): Promise<Sandbox> {
  if (opts.store !== undefined && opts.store !== 'disk' && opts.store !== 'null') {
    throw new Error(`--store must be "disk" or "null", got "${String(opts.store)}".`);
  }
  if (opts.etag !== undefined && opts.etag !== 'md5' && opts.etag !== 'crc64') {
    throw new Error(`--etag must be "md5" or "crc64", got "${String(opts.etag)}".`);
  }
  if (opts.port !== undefined && (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535)) {
    throw new Error(`--port must be a whole number from 0 to 65535, got "${String(opts.port)}".`);
  }
  if (opts.searchLagMs !== undefined && (!Number.isInteger(opts.searchLagMs) || opts.searchLagMs < 0)) {
    throw new Error(`--search-lag-ms must be a whole number of milliseconds (0 or more), got "${String(opts.searchLagMs)}".`);
  }
  const faults = opts.faults ? parseFaults(opts.faults) : undefined;
  const sandbox = await startSandbox({
    port: opts.port, dataDir: opts.data, store: opts.store, etag: opts.etag, faults,
    review: opts.review, searchLagMs: opts.searchLagMs, ossDenyList: opts.ossDenyList,
  });
  process.stdout.write(JSON.stringify({
    endpoint: sandbox.url,
    region: sandbox.region,
    accessKeyId: sandbox.accessKeyId,
    accessKeySecret: sandbox.accessKeySecret,
    uploadOnly: sandbox.uploadOnly,
    admin: `${sandbox.url}/__admin`,
    tencent: tencentInfo(sandbox),
  }) + '\n');
  const stop = () => {
    void sandbox.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return sandbox;
}

/**
 * The Tencent personality's coordinates, as `vodup sandbox` prints them: `endpoint` for
 * tencentcloud-sdk-nodejs (profile.httpProfile {protocol: 'http://', endpoint: host:port}),
 * `cosDomain` for cos-nodejs-sdk-v5's Domain option.
 */
export function tencentInfo(sandbox: Sandbox): SandboxTencentInfo {
  const t = sandbox.tencent;
  return {
    endpoint: t.endpoint, secretId: t.secretId, secretKey: t.secretKey, region: t.region,
    cosDomain: t.cosDomain, appId: t.appId, subAppId: t.subAppId, bucket: t.bucket,
  };
}
