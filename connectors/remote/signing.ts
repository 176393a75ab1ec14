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

/** Nonces seen inside the window; entries expire with it so memory stays bounded. */
export class NonceCache {
  private readonly seen = new Map<string, number>();
  constructor(private readonly windowMs: number) {}

  /** True the first time a nonce is offered inside the window. */
  claim(nonce: string, now: number): boolean {
    this.evict(now);
    if (this.seen.has(nonce)) return false;
    this.seen.set(nonce, now + 2 * this.windowMs);
    return true;
  }

  private evict(now: number): void {
    for (const [nonce, expiry] of this.seen) {
      if (expiry > now) break; // insertion order is expiry order
      this.seen.delete(nonce);
    }
  }
}

export function verify(
  parts: Partial<SignedParts> & { signature?: string },
  secret: string,
  nonces: NonceCache,
  windowMs: number,
  now = Date.now(),
): VerificationFailure | undefined {
  const { method, path, timestamp, nonce, body, signature } = parts;
  if (!method || !path || !timestamp || !nonce || !signature || body === undefined) return 'MISSING_HEADERS';
  if (!/^\d{1,12}$/.test(timestamp) || !/^[A-Za-z0-9_-]{16,128}$/.test(nonce)) return 'MISSING_HEADERS';
  const expected = Buffer.from(sign({ method, path, timestamp, nonce, body }, secret));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'BAD_SIGNATURE';
  if (Math.abs(now - Number(timestamp) * 1000) > windowMs) return 'STALE_TIMESTAMP';
  if (!nonces.claim(nonce, now)) return 'REPLAYED_NONCE';
  return undefined;
}
