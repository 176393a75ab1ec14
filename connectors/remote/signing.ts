// Request signing for the remote connector protocol: HMAC-SHA256 with a shared secret over
// method, path, timestamp, nonce and the SHA-256 digest of the body. The receiver rejects
// bad signatures, timestamps outside a window, and nonces it has already seen (replays).
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const HEADER_TIMESTAMP = 'x-dsr-timestamp';
export const HEADER_NONCE = 'x-dsr-nonce';
export const HEADER_SIGNATURE = 'x-dsr-signature';
export const SIGNATURE_VERSION = 'v1';

export interface SignedParts {
  method: string;
  path: string;
  timestamp: string;
  nonce: string;
  body: Buffer | string;
}

export function bodyDigest(body: Buffer | string): string {
  return createHash('sha256').update(body).digest('hex');
}

export function canonicalString(parts: SignedParts): string {
  return [SIGNATURE_VERSION, parts.method.toUpperCase(), parts.path, parts.timestamp, parts.nonce, bodyDigest(parts.body)].join('\n');
}

export function sign(parts: SignedParts, secret: string): string {
  return `${SIGNATURE_VERSION}=${createHmac('sha256', secret).update(canonicalString(parts)).digest('hex')}`;
}

export function signedHeaders(method: string, path: string, body: string, secret: string, now = Date.now()): Record<string, string> {
  const timestamp = String(Math.floor(now / 1000));
  const nonce = randomBytes(16).toString('hex');
  return {
    [HEADER_TIMESTAMP]: timestamp,
    [HEADER_NONCE]: nonce,
    [HEADER_SIGNATURE]: sign({ method, path, timestamp, nonce, body }, secret),
  };
}

export type VerificationFailure = 'MISSING_HEADERS' | 'BAD_SIGNATURE' | 'STALE_TIMESTAMP' | 'REPLAYED_NONCE';

/**
 * Where a connector service remembers the nonces it has accepted. `claim` is true the
 * first time a nonce is offered; the store must remember it for `rememberMs`. A service
 * that runs several instances behind one address needs a store they share
 * (`RedisNonceStore`), or a request replayed to another instance would be accepted.
 */
export interface NonceStore {
  claim(nonce: string, now: number, rememberMs: number): boolean | Promise<boolean>;
}

/** Nonces seen by this process; entries expire so memory stays bounded. For one instance. */
export class NonceCache implements NonceStore {
  private readonly seen = new Map<string, number>();

  claim(nonce: string, now: number, rememberMs: number): boolean {
    this.evict(now);
    if (this.seen.has(nonce)) return false;
    this.seen.set(nonce, now + rememberMs);
    return true;
  }

  private evict(now: number): void {
    for (const [nonce, expiry] of this.seen) {
      if (expiry > now) break; // insertion order is expiry order (one router, one window)
      this.seen.delete(nonce);
    }
  }
}

/** Why a request is refused, or undefined when it is signed, fresh and new. */
export async function verify(
  parts: Partial<SignedParts> & { signature?: string },
  secret: string,
  nonces: NonceStore,
  windowMs: number,
  now = Date.now(),
): Promise<VerificationFailure | undefined> {
  const { method, path, timestamp, nonce, body, signature } = parts;
  if (!method || !path || !timestamp || !nonce || !signature || body === undefined) return 'MISSING_HEADERS';
  if (!/^\d{1,12}$/.test(timestamp) || !/^[A-Za-z0-9_-]{16,128}$/.test(nonce)) return 'MISSING_HEADERS';
  const expected = Buffer.from(sign({ method, path, timestamp, nonce, body }, secret));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'BAD_SIGNATURE';
  if (Math.abs(now - Number(timestamp) * 1000) > windowMs) return 'STALE_TIMESTAMP';
  // A timestamp inside the window is at most windowMs old or ahead: remembering the nonce
  // for twice the window covers every moment it could be replayed.
  if (!(await nonces.claim(nonce, now, 2 * windowMs))) return 'REPLAYED_NONCE';
  return undefined;
}
