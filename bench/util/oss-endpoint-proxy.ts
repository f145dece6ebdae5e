// A VideoProvider whose every upload address sends the bytes to another endpoint (the WAN
// emulator in bench/network.ts, a counting relay in test/integration/engine-small-put.test.ts),
// whatever VOD's answer named: the engine is not told, as it would not be on a real network.

import type { VideoProvider } from '../../main/engine/provider';

/**
 * `provider` with the OSS endpoint of each address it hands out replaced by `endpoint()`
 * (read at each answer, so it may be known only once a listener is up). Alibaba's own calls
 * answer `address`; the neutral upload's (open, renewCredential) `target`.
 */
export function withOssEndpoint<T extends VideoProvider>(provider: T, endpoint: () => string): T {
  return new Proxy(provider, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        const out = (v as (...a: unknown[]) => unknown).apply(target, args);
        if (!(out instanceof Promise)) return out;
        return out.then((r: unknown) => {
          const { address, target: t } = (r ?? {}) as { address?: { endpoint: string }; target?: { endpoint: string } };
          if (address) return { ...(r as object), address: { ...address, endpoint: endpoint() } };
          if (t) return { ...(r as object), target: { ...t, endpoint: endpoint() } };
          return r;
        });
      };
    },
  });
}
