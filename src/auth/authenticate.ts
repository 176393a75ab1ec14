import { isApiKeyFormat, parseBearer } from './api-key-format.js';
import type { ApiKeyService } from './api-key.service.js';
import { unauthenticated } from './errors.js';
import type { OidcVerifier } from './oidc.js';
import type { Principal } from './principal.js';

export interface Authenticator {
  /** Principal for an `Authorization` header value; throws UNAUTHENTICATED when absent or invalid. */
  authenticate(authorizationHeader: string | null | undefined): Promise<Principal>;
}

/**
 * One entry point for the server: `dsr_...` tokens are API keys, anything else is tried as
 * an OIDC token when OIDC is configured.
 */
export function createAuthenticator(deps: { apiKeys: Pick<ApiKeyService, 'authenticate'>; oidc?: OidcVerifier | null }): Authenticator {
  return {
    async authenticate(header) {
      const token = parseBearer(header);
      if (!token) throw unauthenticated('an Authorization: Bearer credential is required');
      if (isApiKeyFormat(token)) return deps.apiKeys.authenticate(token);
      if (deps.oidc && token.split('.').length === 3) return deps.oidc.verify(token);
      throw unauthenticated('invalid bearer credential');
    },
  };
}
