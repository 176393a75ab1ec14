import type { Redis } from 'ioredis';
import { AuthError } from './errors.js';

// Per-key token buckets. Each key (an API key id, an OIDC subject, or a client address
// for calls that do not authenticate: authenticateBehindAddressGate) has a bucket of `burst` tokens refilled at `perMinute`.
//
// Why both stores: with Redis configured (it already is in production, for BullMQ) the
// bucket is shared by every server replica, so N replicas do not allow N times the limit;
// the check is one atomic Lua script using Redis' own clock. Without Redis (development,
// single process) an in-memory bucket does the same per process. If Redis fails, the
// limiter degrades to the in-memory bucket rather than failing requests: the rate limit
// protects availability, and refusing all traffic because Redis blinked would defeat it.

export const DEFAULT_RATE_LIMIT_PER_MINUTE = 600;

export interface TokenBucketOptions {
  /** Sustained rate: tokens added per minute (default 600). */
  perMinute?: number;
  /** Bucket size: how many requests may come at once (default = perMinute). */
  burst?: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** Bucket size, for a RateLimit-Limit header. */
  limit: number;
  /** Whole tokens left after this request. */
  remaining: number;
  /** When refused: seconds until the request would be allowed (>= 1); 0 when allowed. */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  /** Bucket size: the most tokens one key holds, and so the most one call may cost. */
  readonly capacity: number;
  consume(key: string, cost?: number): Promise<RateLimitDecision>;
  /** Would one token be granted now? Takes none (a gate before work that may not count). */
  peek(key: string): Promise<RateLimitDecision>;
}

interface Settings {
  capacity: number;
  refillPerMs: number;
}

function settings(options: TokenBucketOptions): Settings {
  const perMinute = options.perMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE;
  const capacity = options.burst ?? perMinute;
  if (!(perMinute > 0) || !(capacity >= 1) || !Number.isFinite(perMinute) || !Number.isFinite(capacity)) {
    throw new RangeError('rate limit perMinute must be > 0 and burst >= 1');
  }
  return { capacity, refillPerMs: perMinute / 60_000 };
}

function checkCost(cost: number, capacity: number): void {
  if (!Number.isFinite(cost) || cost <= 0 || cost > capacity) throw new RangeError(`rate limit cost must be in (0, ${capacity}]`);
}

/** Pure bucket arithmetic, shared by the in-memory store and its tests. */
export function takeTokens(
  state: { tokens: number; at: number } | undefined,
  now: number,
  cost: number,
  s: Settings,
): { state: { tokens: number; at: number }; decision: RateLimitDecision } {
  const start = state ?? { tokens: s.capacity, at: now };
  const tokens = Math.min(s.capacity, start.tokens + Math.max(0, now - start.at) * s.refillPerMs);
  if (tokens >= cost) {
    const left = tokens - cost;
    return {
      state: { tokens: left, at: now },
      decision: { allowed: true, limit: s.capacity, remaining: Math.floor(left), retryAfterSeconds: 0 },
    };
  }
  const waitMs = (cost - tokens) / s.refillPerMs;
  return {
    state: { tokens, at: now },
    decision: { allowed: false, limit: s.capacity, remaining: Math.floor(tokens), retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) },
  };
}

/** One process's buckets. Bounded: the least recently used keys are dropped past maxKeys. */
export class InMemoryTokenBucket implements RateLimiter {
  private readonly s: Settings;
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    options: TokenBucketOptions = {},
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 100_000,
  ) {
    this.s = settings(options);
  }

  get capacity(): number {
    return this.s.capacity;
  }

  async consume(key: string, cost = 1): Promise<RateLimitDecision> {
    return this.consumeSync(key, cost);
  }

  async peek(key: string): Promise<RateLimitDecision> {
    return takeTokens(this.buckets.get(key), this.now(), 1, this.s).decision;
  }

  consumeSync(key: string, cost = 1): RateLimitDecision {
    checkCost(cost, this.s.capacity);
    const previous = this.buckets.get(key);
    const { state, decision } = takeTokens(previous, this.now(), cost, this.s);
    this.buckets.delete(key);
    this.buckets.set(key, state);
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    return decision;
  }

  get size(): number {
    return this.buckets.size;
  }
}

// KEYS[1] bucket; ARGV capacity, refill per ms, cost, peek (1: answer without taking or
// writing). Uses Redis' clock so replicas agree.
const TOKEN_BUCKET_LUA = `
local capacity = tonumber(ARGV[1])
local refill = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local peek = tonumber(ARGV[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then tokens = capacity; at = now end
tokens = math.min(capacity, tokens + math.max(0, now - at) * refill)
local allowed = 0
local wait = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
else
  wait = math.ceil((cost - tokens) / refill)
end
if peek == 1 then return {allowed, tostring(tokens), wait} end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / refill) + 1000)
return {allowed, tostring(tokens), wait}
`;

export interface RedisTokenBucketOptions extends TokenBucketOptions {
  /** Key prefix (default "dsr:ratelimit:"; a gateway uses rateLimitPrefix(QUEUE_PREFIX)). */
  prefix?: string;
  /** Told when Redis fails and the in-memory fallback answered (log it; no key material in it). */
  onError?: (error: Error) => void;
}

/** Buckets shared by all replicas through Redis. */
export class RedisTokenBucket implements RateLimiter {
  private readonly s: Settings;
  private readonly prefix: string;
  private readonly fallback: InMemoryTokenBucket;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisTokenBucketOptions = {},
  ) {
    this.s = settings(options);
    this.prefix = options.prefix ?? 'dsr:ratelimit:';
    this.fallback = new InMemoryTokenBucket(options);
  }

  get capacity(): number {
    return this.s.capacity;
  }

  async consume(key: string, cost = 1): Promise<RateLimitDecision> {
    checkCost(cost, this.s.capacity);
    return this.run(key, cost, false);
  }

  async peek(key: string): Promise<RateLimitDecision> {
    return this.run(key, 1, true);
  }

  private async run(key: string, cost: number, peek: boolean): Promise<RateLimitDecision> {
    try {
      const [allowed, tokens, waitMs] = (await this.redis.eval(
        TOKEN_BUCKET_LUA,
        1,
        this.prefix + key,
        this.s.capacity,
        this.s.refillPerMs,
        cost,
        peek ? 1 : 0,
      )) as [number, string, number];
      const left = Number(tokens);
      return {
        allowed: allowed === 1,
        limit: this.s.capacity,
        remaining: Math.floor(left),
        retryAfterSeconds: allowed === 1 ? 0 : Math.max(1, Math.ceil(Number(waitMs) / 1000)),
      };
    } catch (e) {
      this.options.onError?.(e as Error);
      return peek ? this.fallback.peek(key) : this.fallback.consume(key, cost);
    }
  }
}

/**
 * The Redis key prefix of a gateway's buckets, per key and per address alike: under its
 * QUEUE_PREFIX, so two gateways sharing one Redis (staging and production) never share a bucket.
 */
export function rateLimitPrefix(queuePrefix: string): string {
  return `${queuePrefix}:ratelimit:`;
}

/** Redis-backed when a client is given, in-memory otherwise. */
export function createRateLimiter(options: RedisTokenBucketOptions & { redis?: Redis | null } = {}): RateLimiter {
  return options.redis ? new RedisTokenBucket(options.redis, options) : new InMemoryTokenBucket(options);
}

export function rateLimited(retryAfterSeconds: number): AuthError {
  return new AuthError('RATE_LIMITED', `rate limit exceeded; retry after ${retryAfterSeconds} s`, retryAfterSeconds);
}

/** The bucket of an authenticated caller: one per API key or OIDC subject. */
export function rateLimitKeyOf(principal: { kind: string; id: string }): string {
  return `${principal.kind}:${principal.id}`;
}

/** Consumes and throws RATE_LIMITED (with retryAfterSeconds) when the bucket is empty. */
export async function enforceRateLimit(limiter: RateLimiter, key: string, cost = 1): Promise<RateLimitDecision> {
  const decision = await limiter.consume(key, cost);
  if (!decision.allowed) throw rateLimited(decision.retryAfterSeconds);
  return decision;
}

/**
 * Authentication behind a per-address gate. The gate is looked at before the credential
 * is (so past the limit an unknown key costs no database read) and only calls that do not
 * authenticate spend from it: no credential, or one that fails. A caller that does
 * authenticate is then limited per key. `authenticate` throws UNAUTHENTICATED on failure.
 */
export async function authenticateBehindAddressGate<P extends { kind: string; id: string }>(
  limits: { addressLimiter: RateLimiter; rateLimiter: RateLimiter },
  address: string,
  authenticate: () => Promise<P>,
): Promise<{ principal: P; decision: RateLimitDecision }> {
  const gate = `address:${address}`;
  const open = await limits.addressLimiter.peek(gate);
  if (!open.allowed) throw rateLimited(open.retryAfterSeconds);
  let principal: P;
  try {
    principal = await authenticate();
  } catch (error) {
    if (error instanceof AuthError && error.code === 'UNAUTHENTICATED') await limits.addressLimiter.consume(gate);
    throw error;
  }
  return { principal, decision: await enforceRateLimit(limits.rateLimiter, rateLimitKeyOf(principal)) };
}
