import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { unauthenticated } from './errors.js';
import { EVERY_CONTROLLER, onlyControllers, type ControllerScope, type Principal } from './principal.js';
import { isRole } from './roles.js';

/** What a token that carries no controllers claim sees (DSR_OIDC_WITHOUT_CONTROLLERS_CLAIM). */
export type OidcWithoutControllersClaim = 'none' | 'every';

export interface OidcVerifierOptions {
  issuer: string;
  audience: string | string[];
  jwksUrl: string;
  /** Claim holding the roles (array or space-separated string); dots reach nested claims, e.g. "realm_access.roles". */
  rolesClaim?: string;
  /** Claim holding the controller ids, or "*" for every controller; empty means none. */
  controllersClaim?: string;
  /** What a token without the controllers claim sees: no controller (the default) or every one. */
  withoutControllersClaim?: OidcWithoutControllersClaim;
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

/** What a token's controllers claim may say to mean every controller. */
export const EVERY_CONTROLLER_CLAIM = '*';

/**
 * The controller binding of a token, failing closed: every controller only when the claim
 * says so ("*", alone), or when the claim is absent and the deployment says such tokens are
 * group-wide (`withoutClaim: 'every'`); otherwise the listed controllers, and none for an
 * absent, null or empty claim. A claim holding anything other than strings (numbers,
 * objects), or "*" beside controller ids, cannot be read as a binding: the token is refused.
 */
export function controllerScopeOfClaim(value: unknown, withoutClaim: OidcWithoutControllersClaim = 'none'): ControllerScope {
  if (value === undefined || value === null) return withoutClaim === 'every' ? EVERY_CONTROLLER : onlyControllers([]);
  let ids: string[];
  if (typeof value === 'string') ids = stringList(value);
  else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) ids = value.flatMap((v) => stringList(v));
  else throw unauthenticated('invalid bearer token');
  if (!ids.includes(EVERY_CONTROLLER_CLAIM)) return onlyControllers(ids);
  if (ids.every((id) => id === EVERY_CONTROLLER_CLAIM)) return EVERY_CONTROLLER;
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
        controllers: controllerScopeOfClaim(claimAt(payload, controllersClaim), options.withoutControllersClaim),
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
    // Fail closed: a token that forgot the claim sees no controller unless the deployment says otherwise.
    DSR_OIDC_WITHOUT_CONTROLLERS_CLAIM: z.enum(['none', 'every'], { message: 'must be none or every' }).default('none'),
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
    withoutControllersClaim: v.DSR_OIDC_WITHOUT_CONTROLLERS_CLAIM,
  };
}
