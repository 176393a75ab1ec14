// The code an operation fails with, the way tests assert it: one helper for thrown errors,
// rejected promises and GraphQL replies, so every test reads a refusal the same way.
import { RequestRuleError } from '../../src/requests/errors.js';

type CodedErrorClass = abstract new (...args: never[]) => { code: string };

/** Stands for an error of another kind than the one expected (or one without a code). */
export const NOT_EXPECTED_KIND = 'NOT_THE_EXPECTED_KIND_OF_ERROR';

function codeOfError(error: unknown, kind?: CodedErrorClass): string {
  if (kind) return error instanceof kind ? error.code : NOT_EXPECTED_KIND;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : NOT_EXPECTED_KIND;
}

/**
 * The code of the error `run` throws, or its promise rejects with; undefined when it
 * succeeds. With `kind`, an error of any other class counts as NOT_EXPECTED_KIND.
 */
export function codeOf(run: () => unknown, kind?: CodedErrorClass): string | undefined;
export function codeOf(run: Promise<unknown>, kind?: CodedErrorClass): Promise<string | undefined>;
export function codeOf(run: (() => unknown) | Promise<unknown>, kind?: CodedErrorClass): string | undefined | Promise<string | undefined> {
  if (typeof run !== 'function')
    return run.then(
      () => undefined,
      (error: unknown) => codeOfError(error, kind),
    );
  try {
    run();
  } catch (error) {
    return codeOfError(error, kind);
  }
  return undefined;
}

/** The code of a GraphQL reply's first error (its `extensions.code`); undefined when it has none. */
export function graphqlCodeOf(reply: { body: { errors?: readonly { extensions?: { code?: unknown } }[] } }): string | undefined {
  const code = reply.body.errors?.[0]?.extensions?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The code of the request rule `run` breaks (RequestRuleError); any other error is NOT_EXPECTED_KIND. */
export function ruleCodeOf(run: () => unknown): string | undefined {
  return codeOf(run, RequestRuleError);
}
