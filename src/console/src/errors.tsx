// API errors in words a handler understands, always with the code for support.
import { Alert, Code, Text } from '@mantine/core';
import type { CombinedError } from 'urql';

const PLAIN: Record<string, string> = {
  UNAUTHENTICATED: 'The key was not accepted. It may be mistyped, revoked or expired.',
  // The API's message below says which: a role missing, or a request holding what your controllers may not see.
  FORBIDDEN: 'Your roles or your controllers do not allow this action.',
  RATE_LIMITED: 'Too many requests in a short time. Wait a minute and try again.',
  NOT_FOUND: 'It does not exist, or it is outside your controllers.',
  REQUEST_NOT_FOUND: 'This request does not exist, or it is outside your controllers.',
  INVALID_TRANSITION: 'This action is not possible in the request’s current state. The page shows what is allowed now.',
  CONCURRENT_UPDATE: 'Someone else changed this request a moment ago. The page has been reloaded; try again.',
  IDENTITY_NOT_VERIFIED: 'The person’s identity must be verified first (R2).',
  REASON_REQUIRED: 'A reason is required.',
  MATCHES_PENDING_REVIEW: 'Some REVIEW records are still pending: confirm or reject each before approving.',
  INVALID_IDENTIFIER: 'The identifier cannot be read as that type: check its format.',
  RETENTION_RUN_NOT_FOUND: 'This retention run does not exist.',
  RETENTION_RUN_NOT_PREVIEWED: 'This retention run is no longer waiting for approval (approved, cancelled or superseded). The list shows its status now.',
  BAD_USER_INPUT: 'Some of the values are not valid.',
  INTERNAL_SERVER_ERROR: 'The gateway hit an unexpected error. Support can find it with the code below.',
};

export interface ApiErrorInfo {
  code: string;
  message: string;
  field?: string;
}

export function errorInfo(error: CombinedError | Error | null | undefined): ApiErrorInfo | null {
  if (!error) return null;
  if ('graphQLErrors' in error && error.graphQLErrors.length > 0) {
    const first = error.graphQLErrors[0]!;
    const ext = first.extensions as { code?: string; field?: string } | undefined;
    return { code: ext?.code ?? 'UNKNOWN', message: first.message, field: ext?.field };
  }
  if ('networkError' in error && error.networkError) {
    return { code: 'NETWORK', message: 'The gateway could not be reached. Check the connection and try again.' };
  }
  return { code: 'UNKNOWN', message: error.message };
}

export function plainMessage(info: ApiErrorInfo): string {
  return PLAIN[info.code] ?? info.message;
}

export function ApiError({ error, title = 'That did not work' }: { error: CombinedError | Error | null | undefined; title?: string }) {
  const info = errorInfo(error);
  if (!info) return null;
  const plain = plainMessage(info);
  return (
    <Alert color="red" title={title} role="alert" variant="light">
      <Text size="sm">{plain}</Text>
      {plain !== info.message && (
        <Text size="sm" c="dimmed">
          {info.message}
        </Text>
      )}
      <Text size="xs" mt={4}>
        Code for support: <Code>{info.code}</Code>
      </Text>
    </Alert>
  );
}
