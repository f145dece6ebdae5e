// The CLI's network flags (docs/ARCHITECTURE.md §3 "Network"): --proxy and --oss-endpoint on
// every command that talks to the cloud, applied to the process before the command runs.
// Without --proxy the standard variables decide (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY,
// NO_PROXY, lower or upper case), as for curl, git and npm.

import { Option, type Command } from 'commander';
import { CliError } from './errors';
import { configureOssEndpoint } from '../engine/net/oss-endpoint';
import { configureProxy } from '../engine/net/proxy';
import { OSS_ENDPOINT_MODES, type OssEndpointMode } from '../../shared/types';
import { proxyUrlProblem } from '../../shared/validation';

export interface NetworkFlags {
  proxy?: string;
  ossEndpoint?: OssEndpointMode;
}

/**
 * "none", "system" or a proxy URL. Checked in applyNetworkFlags rather than as commander's
 * argument parser: commander's message would repeat the value, password included.
 */
function checkedProxy(value: string): string {
  const v = value.trim();
  if (v === 'none' || v === 'system') return v;
  const problem = proxyUrlProblem(v);
  if (problem) throw new CliError(`--proxy: ${problem} Or "none" for no proxy.`);
  return v;
}

export function networkOptions(cmd: Command): Command {
  return cmd
    .option('--proxy <url>', 'proxy for VOD and OSS: http://[user:password@]host:port, https://…, socks5://… (names resolved here) or socks5h://… (by the proxy); "none" = direct. Default: HTTPS_PROXY / HTTP_PROXY / ALL_PROXY, minus NO_PROXY. A password is safer in HTTPS_PROXY than on the command line')
    .addOption(new Option('--oss-endpoint <which>', 'where the bytes go: VOD\'s regional OSS endpoint (default), OSS transfer acceleration (accelerate: oss-accelerate.aliyuncs.com, must be enabled for the bucket, billed per GB), or the internal endpoint (internal: only from an ECS instance in the bucket\'s region)')
      .choices([...OSS_ENDPOINT_MODES]));
}

/** Applies a command's network flags to this process (before it makes any request). */
export function applyNetworkFlags(flags: NetworkFlags): void {
  if (flags.ossEndpoint) configureOssEndpoint(flags.ossEndpoint);
  const proxy = flags.proxy === undefined ? 'system' : checkedProxy(flags.proxy);
  if (proxy === 'system') configureProxy({ mode: 'system' });
  else if (proxy === 'none') configureProxy({ mode: 'none' });
  else configureProxy({ mode: 'manual', url: proxy });
}
