import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { unauthenticated } from './errors.js';
import type { Principal } from './principal.js';
import { isRole } from './roles.js';

export interface OidcVerifierOptions {
  issuer: string;
  audience: string | string[];
  jwksUrl: string;
  /** Claim holding the roles (array or space-separated string); dots reach nested claims, e.g. "realm_access.roles". */
  rolesClaim?: string;
  /** Claim holding the controller ids; absent or empty means every controller. */
  controllersClaim?: string;
  /** Accepted signature algorithms (default: asymmetric ones only, never HS* or none). */
  algorithms?: string[];
  /** Allowed clock skew in seconds (default 30). */
  clockToleranceSeconds?: number;
  /** Injected key resolver, for tests or a pre-fetched JWKS. */
  keyResolver?: JWTVerifyGetKey;
}

export interface OidcVerifier {
  verify(token: string): Promise<Principal>;
}

export const OIDC_DEFAULT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'];

function claimAt(payload: JWTPayload, path: string): unknown {
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/**
 * The controller binding of a token: absent (or null) means every controller, as does an
 * empty list. A claim present but holding anything other than strings (numbers, objects)
 * cannot be read as a binding; widening it to every controller would fail open, so the
 * token is refused.
 */
function controllerList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return stringList(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return stringList(value);
  throw unauthenticated('invalid bearer token');
}

function stringList(value: unknown): string[] {
  if (typeof value === 'string') return value.split(/\s+/).filter(Boolean);
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/**
 * Verifies OIDC bearer tokens (JWT) against the provider's JWKS: signature, issuer,
 * audience, expiry. Roles not known to the gateway are ignored; a token without any
 * known role still authenticates but is allowed nothing. Every failure is UNAUTHENTICATED.
 */
export function createOidcVerifier(options: OidcVerifierOptions): OidcVerifier {
  const rolesClaim = options.rolesClaim ?? 'roles';
  const controllersClaim = options.controllersClaim ?? 'controllers';
  const keys = options.keyResolver ?? createRemoteJWKSet(new URL(options.jwksUrl), { timeoutDuration: 5000 });
  return {
    async verify(token: string): Promise<Principal> {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, keys, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms: options.algorithms ?? OIDC_DEFAULT_ALGORITHMS,
          clockTolerance: options.clockToleranceSeconds ?? 30,
          requiredClaims: ['sub', 'exp'],
        }));
      } catch {
        // jose's messages can echo claim values; keep them out of the answer.
        throw unauthenticated('invalid bearer token');
      }
      if (typeof payload.sub !== 'string' || payload.sub.length === 0) throw unauthenticated('invalid bearer token');
      return {
        kind: 'oidc',
        id: payload.sub,
        roles: [...new Set(stringList(claimAt(payload, rolesClaim)).filter(isRole))],
        controllerIds: [...new Set(controllerList(claimAt(payload, controllersClaim)))],
      };
    },
  };
}

/**
 * The optional OIDC settings, validated with the rest of the configuration by loadConfig
 * (src/config/config.ts). DSR_OIDC_ISSUER turns OIDC on and then needs the audience and the JWKS URL.
 */
export const oidcVariables = z
  .object({
    DSR_OIDC_ISSUER: z.string().min(1).optional(),
    DSR_OIDC_AUDIENCE: z.string().min(1).optional(),
    DSR_OIDC_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
    DSR_OIDC_ROLES_CLAIM: z.string().min(1).default('roles'),
    DSR_OIDC_CONTROLLERS_CLAIM: z.string().min(1).default('controllers'),
  })
  .superRefine((v, ctx) => {
    if (!v.DSR_OIDC_ISSUER) return;
    for (const variable of ['DSR_OIDC_AUDIENCE', 'DSR_OIDC_JWKS_URL'] as const) {
      if (!v[variable]) ctx.addIssue({ code: 'custom', path: [variable], message: 'must be set when DSR_OIDC_ISSUER is set' });
    }
    // The keys that verify every token: over plain http, anyone on the path could serve their own.
    if (v.DSR_OIDC_JWKS_URL && !isSecureOrLoopback(new URL(v.DSR_OIDC_JWKS_URL))) {
      ctx.addIssue({ code: 'custom', path: ['DSR_OIDC_JWKS_URL'], message: 'must be https (http only on the loopback, for development)' });
    }
  });

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function isSecureOrLoopback(url: URL): boolean {
  return url.protocol === 'https:' || LOOPBACK.has(url.hostname);
}

/** The verifier's options from validated settings; null when DSR_OIDC_ISSUER is unset. */
export function oidcOptions(v: z.infer<typeof oidcVariables>): OidcVerifierOptions | null {
  if (!v.DSR_OIDC_ISSUER || !v.DSR_OIDC_AUDIENCE || !v.DSR_OIDC_JWKS_URL) return null;
  return {
    issuer: v.DSR_OIDC_ISSUER,
    audience: v.DSR_OIDC_AUDIENCE,
    jwksUrl: v.DSR_OIDC_JWKS_URL,
    rolesClaim: v.DSR_OIDC_ROLES_CLAIM,
    controllersClaim: v.DSR_OIDC_CONTROLLERS_CLAIM,
  };
}
