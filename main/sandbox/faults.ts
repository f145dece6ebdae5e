// Fault injection for the sandbox: what can go wrong on demand, parsed from flags or
// set over the admin API, and the one global token bucket that caps request bodies
// (and the bodies of signed media URL downloads).

export interface Faults {
  /** Probability 0..1 of a 5xx per request (VOD: ServiceUnavailable/InternalError; OSS: InternalError). */
  errorRate: number;
  /**
   * Probability 0..1 that an OSS UploadPart/PutObject connection is destroyed after
   * resetAfterBytes of its body, or a signed media URL download after resetAfterBytes of
   * the answer's body.
   */
  resetRate: number;
  resetAfterBytes: number;
  /** Added before answering each request. */
  latencyMs: number;
  /** Bytes/s cap on request bodies and signed-URL download bodies, one bucket for the whole server; 0 = none. */
  bandwidth: number;
  /** Lifetime of the STS credentials handed out in UploadAuth. */
  credentialTtlSeconds: number;
  /** Probability 0..1 that a VOD call answers Throttling.User. */
  throttleRate: number;
  /** Epoch ms; until then every connection is destroyed without an answer. */
  outageUntil: number;
  /** Probability 0..1 that a VOD call is carried out but its answer is lost (the connection is destroyed). */
  lostAnswerRate: number;
  /**
   * Probability 0..1 that an OSS UploadPart/PutObject stops taking the body after
   * resetAfterBytes and answers `400 RequestTimeout`, as OSS does when a client's socket
   * sits idle past its timeout. The part is not stored.
   */
  requestTimeoutRate: number;
  /**
   * Seconds every signed media URL (FileURL, PlayURL, CoverURL, snapshots) lives,
   * overriding the AuthTimeout asked for; 0 = honour AuthTimeout. For tests of expiry.
   */
  urlTtlSeconds: number;
  /**
   * Milliseconds an OSS UploadPart waits between the last byte of its body and its answer
   * (the answer's way back over a WAN, the server's check): a client that holds a request
   * slot for that time leaves the link idle.
   */
  partAnswerMs: number;
  /**
   * The next this many GETs/HEADs of signed media URLs are refused as OSS refuses a URL
   * whose time ran out (403 AccessDenied "Request has expired."; the CDN's bare 403),
   * counted down as they fire: expiry at a moment a test chooses, not left to the clock.
   */
  expiredUrlGets: number;
}

export const DEFAULT_FAULTS: Readonly<Faults> = Object.freeze({
  errorRate: 0,
  resetRate: 0,
  resetAfterBytes: 64 * 1024,
  latencyMs: 0,
  bandwidth: 0,
  credentialTtlSeconds: 3000,
  throttleRate: 0,
  outageUntil: 0,
  lostAnswerRate: 0,
  requestTimeoutRate: 0,
  urlTtlSeconds: 0,
  partAnswerMs: 0,
  expiredUrlGets: 0,
});

const RATE_KEYS = ['errorRate', 'resetRate', 'throttleRate', 'lostAnswerRate', 'requestTimeoutRate'] as const;
const COUNT_KEYS = ['resetAfterBytes', 'latencyMs', 'bandwidth', 'credentialTtlSeconds', 'outageUntil', 'urlTtlSeconds', 'partAnswerMs', 'expiredUrlGets'] as const;

/**
 * Checks a partial fault set (from JSON or flags) and turns `outageSeconds` into
 * `outageUntil`. Throws an Error naming the bad key and the accepted range.
 */
export function normalizeFaults(input: Record<string, unknown>, now = Date.now()): Partial<Faults> {
  const out: Partial<Faults> = {};
  for (const [key, raw] of Object.entries(input)) {
    const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new Error(`Fault "${key}" needs a number, got ${JSON.stringify(raw)}.`);
    }
    if ((RATE_KEYS as readonly string[]).includes(key)) {
      if (value < 0 || value > 1) throw new Error(`Fault "${key}" is a probability: give a number from 0 to 1, got ${value}.`);
      out[key as (typeof RATE_KEYS)[number]] = value;
    } else if ((COUNT_KEYS as readonly string[]).includes(key)) {
      if (value < 0) throw new Error(`Fault "${key}" cannot be negative, got ${value}.`);
      out[key as (typeof COUNT_KEYS)[number]] = value;
    } else if (key === 'outageSeconds') {
      if (value < 0) throw new Error(`Fault "outageSeconds" cannot be negative, got ${value}.`);
      out.outageUntil = value === 0 ? 0 : now + value * 1000;
    } else {
      const known = [...RATE_KEYS, ...COUNT_KEYS, 'outageSeconds'].join(', ');
      throw new Error(`Unknown fault "${key}". Known faults: ${known}.`);
    }
  }
  return out;
}

/** Parses "errorRate=0.1,resetRate=0.05,outageSeconds=20,credentialTtlSeconds=5". */
export function parseFaults(spec: string): Partial<Faults> {
  const entries: Record<string, string> = {};
  for (const item of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new Error(`Fault "${item}" is not of the form name=value (e.g. errorRate=0.1).`);
    entries[item.slice(0, eq).trim()] = item.slice(eq + 1).trim();
  }
  return normalizeFaults(entries);
}

/**
 * One token bucket for the whole server (not per connection), so a bandwidth cap
 * holds however many uploads run at once. Callers reserve bytes and wait until
 * their slot; a short burst allowance keeps small bodies from being delayed.
 */
export class TokenBucket {
  private nextFree = 0;
  constructor(private readonly rate: () => number, private readonly burstMs = 100) {}

  /** Resolves when `bytes` may pass; immediately when the cap is off. */
  take(bytes: number): Promise<void> {
    const rate = this.rate();
    if (rate <= 0) return Promise.resolve();
    const now = Date.now();
    this.nextFree = Math.max(this.nextFree, now) + (bytes / rate) * 1000;
    const wait = this.nextFree - now - this.burstMs;
    if (wait <= 0) return Promise.resolve();
    return new Promise((resolve) => setTimeout(resolve, wait));
  }
}
