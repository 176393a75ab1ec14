// Replay protection shared by every instance of a connector service: a nonce is claimed
// once in Redis (SET NX with an expiry), so a request replayed to another instance behind
// the same address is refused too.
import type { Redis } from 'ioredis';
import type { NonceStore } from './signing.js';

export class RedisNonceStore implements NonceStore {
  /** `prefix` keeps one service's nonces apart from another's on a shared Redis. */
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'dsr-connector-nonce:',
  ) {}

  async claim(nonce: string, _now: number, rememberMs: number): Promise<boolean> {
    return (await this.redis.set(`${this.prefix}${nonce}`, '1', 'PX', rememberMs, 'NX')) === 'OK';
  }
}
