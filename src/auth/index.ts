// Authentication, roles, permissions, controller scoping and rate limiting.
export { Role, ALL_ROLES, isRole } from './roles.js';
export { EVERY_CONTROLLER, onlyControllers, type ControllerScope, type Principal } from './principal.js';
export { AuthError, unauthenticated, forbidden, type AuthErrorCode } from './errors.js';
export {
  PERMISSIONS,
  ALL_PERMISSIONS,
  type Permission,
  can,
  assertCan,
  assertAuthenticated,
  permissionsOf,
  rolesFor,
  isUnscoped,
  canSeeController,
  canSeeSource,
  assertCanSeeController,
  visibleOrNull,
  filterVisible,
  controllerScope,
  soleControllerOf,
  canManageSource,
  assertCanManageSource,
} from './permissions.js';
export {
  API_KEY_PREFIX,
  generateApiKey,
  parseApiKey,
  isApiKeyFormat,
  hashSecret,
  verifySecret,
  parseBearer,
  type ParsedApiKey,
  type GeneratedApiKey,
} from './api-key-format.js';
export { ApiKey } from './api-key.entity.js';
export {
  ApiKeyService,
  BOOTSTRAP_ADMIN_KEY_VARIABLE,
  type ApiKeyView,
  type CreateApiKeyInput,
  type ApiKeyServiceOptions,
  type KeyManager,
} from './api-key.service.js';
export { createOidcVerifier, oidcOptions, oidcVariables, OIDC_DEFAULT_ALGORITHMS, type OidcVerifier, type OidcVerifierOptions } from './oidc.js';
export { createAuthenticator, type Authenticator } from './authenticate.js';
export {
  DEFAULT_RATE_LIMIT_PER_MINUTE,
  InMemoryTokenBucket,
  RedisTokenBucket,
  createRateLimiter,
  enforceRateLimit,
  rateLimited,
  rateLimitKeyOf,
  rateLimitPrefix,
  authenticateBehindAddressGate,
  takeTokens,
  type RateLimiter,
  type RateLimitDecision,
  type TokenBucketOptions,
  type RedisTokenBucketOptions,
} from './rate-limit.js';
export { runKeysCommand, parseKeysArgs, keysCreate, keysList, keysRevoke, KEYS_USAGE, type KeysCliIo, type KeysCommand } from './keys-cli.js';
export { WITHHELD } from './redaction.js';
