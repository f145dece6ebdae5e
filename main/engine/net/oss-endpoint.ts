// Which OSS endpoint an upload talks to (docs/ARCHITECTURE.md §3 "Network"). VOD's
// UploadAddress names the bucket's public regional endpoint (https://oss-<region>.aliyuncs.com);
// an operator may send the bytes elsewhere:
//
//   accelerate  oss-accelerate.aliyuncs.com, OSS transfer acceleration: requests enter
//               Alibaba Cloud at the nearest access point and cross its backbone to the
//               bucket's region. The bucket stays in the host (<bucket>.oss-accelerate.
//               aliyuncs.com, virtual-hosted like the public endpoint) and the signature
//               does not change. Acceleration must be enabled on the bucket (for VOD's own
//               storage: in the VOD console), and it is billed per GB
//               (alibabacloud.com/help/en/oss/user-guide/transfer-acceleration).
//   internal    oss-<region>-internal.aliyuncs.com: the free VPC path, reachable only from
//               an ECS instance (or other VPC host) in the bucket's own region.
//
// Only Alibaba's own regional hosts are rewritten; an IP (the sandbox), a custom domain or an
// already rewritten host is used as VOD gave it. The one place that applies this is
// OssSession's client (oss-session.ts), so every request of an upload, refreshed credential
// included, goes to the same endpoint, and the job's stored address stays VOD's.

import type { OssEndpointMode } from '../../../shared/types';

export type { OssEndpointMode };

const REGIONAL_HOST = /^oss-([a-z]{2}-[a-z0-9-]+?)(-internal)?\.aliyuncs\.com$/i;
export const ACCELERATE_HOST = 'oss-accelerate.aliyuncs.com';

/**
 * The endpoint to use for `endpoint` (scheme://host[:port]) under `mode`. Leaves unknown
 * shapes as they are: rewriting a host we cannot read would only fail later in DNS.
 */
export function rewriteOssEndpoint(endpoint: string, mode: OssEndpointMode): string {
  if (mode === 'default') return endpoint;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return endpoint;
  }
  const m = REGIONAL_HOST.exec(url.hostname);
  if (!m) return endpoint;
  const region = m[1].toLowerCase();
  url.hostname = mode === 'accelerate' ? ACCELERATE_HOST : `oss-${region}-internal.aliyuncs.com`;
  return url.href.replace(/\/$/, '');
}

let current: OssEndpointMode = 'default';

/** This process's choice (the app's setting, the CLI's --oss-endpoint). */
export function configureOssEndpoint(mode: OssEndpointMode): void {
  current = mode;
}

export function ossEndpointMode(): OssEndpointMode {
  return current;
}

/** The endpoint an OSS client should use for an UploadAddress endpoint, now. */
export function ossEndpointFor(endpoint: string): string {
  return rewriteOssEndpoint(endpoint, current);
}
