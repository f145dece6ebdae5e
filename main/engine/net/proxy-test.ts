// The "Test proxy" answer (Settings → Network): one request to the VOD endpoint (or the
// sandbox) under a proxy policy that need not be saved yet, reported in words: which hop
// failed — the proxy's credentials, the proxy itself, the target behind it — or the time
// the target took to answer. Any HTTP answer from the target counts as reached (VOD
// answers a bare GET with an error document; what matters is that it answered).

import type { ProxyTestResult } from '../../../shared/types';
import { classifyError } from '../errors';
import { describeRoute, RoutingAgent, type ProxyPolicy } from './proxy';
import { requestHead } from './request';

const TEST_TIMEOUT_MS = 15_000;

export async function testProxy(policy: ProxyPolicy, target: string, timeoutMs = TEST_TIMEOUT_MS): Promise<ProxyTestResult> {
  const agent = new RoutingAgent(policy, timeoutMs);
  const started = Date.now();
  const host = new URL(target).host;
  const route = (): string => (agent.lastRoute ? describeRoute(agent.lastRoute) : 'not decided');
  try {
    const res = await requestHead(target, { method: 'GET', agent, timeoutMs });
    const latencyMs = Date.now() - started;
    return {
      outcome: 'ok', route: route(), target, latencyMs, status: res.status,
      message: `Reached ${host} ${agent.lastRoute?.kind === 'proxy' ? 'through the proxy' : 'directly'} in ${latencyMs} ms (HTTP ${res.status}).`,
    };
  } catch (err) {
    const e = classifyError(err);
    const outcome: ProxyTestResult['outcome'] = e.code === 'ProxyAuthRequired' ? 'proxyAuth'
      : e.code === 'ProxyUnreachable' ? 'proxyUnreachable'
        : e.code === 'ProxyRefused' ? 'proxyRefused'
          : e.code === 'ProxyTargetUnreachable' || e.kind === 'network' ? 'targetUnreachable'
            : 'failed';
    const message = e.code.startsWith('Proxy') ? e.message : `Could not reach ${host}: ${e.message}`;
    return { outcome, route: route(), target, message: e.hint && outcome !== 'targetUnreachable' ? `${message} ${e.hint}` : message };
  } finally {
    agent.destroy();
  }
}
