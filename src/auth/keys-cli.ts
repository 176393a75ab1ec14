// `keys create|list|revoke`: API key management from the command line. The lead's CLI
// entry builds an ApiKeyService and calls runKeysCommand(argv, service).
import { parseArgs } from 'node:util';
import type { ApiKeyService, ApiKeyView } from './api-key.service.js';
import { AuthError } from './errors.js';

export interface KeysCliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

export type KeysCommand =
  | { command: 'create'; name: string; roles: string[]; controllers: string[]; sources: string[]; json: boolean }
  | { command: 'list'; all: boolean; json: boolean }
  | { command: 'revoke'; id: string; json: boolean };

export const KEYS_USAGE = [
  'usage:',
  '  keys create --name NAME --roles ROLE[,ROLE...] [--controllers ID[,ID...]] [--sources ID[,ID...]] [--json]',
  '  keys list [--all] [--json]',
  '  keys revoke KEY_ID [--json]',
  'roles: ADMIN, HANDLER, SPECIAL_CATEGORY, AUDITOR, CONNECTOR, WORKER',
].join('\n');

export class KeysUsageError extends Error {
  readonly code = 'USAGE';
}

const csv = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Parses `keys ...` arguments (without the leading "keys"). Throws KeysUsageError. */
export function parseKeysArgs(argv: readonly string[]): KeysCommand {
  const [command, ...rest] = argv;
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: {
        name: { type: 'string' },
        roles: { type: 'string' },
        controllers: { type: 'string' },
        sources: { type: 'string' },
        all: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
      },
    });
  } catch (e) {
    throw new KeysUsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  const json = values.json ?? false;
  switch (command) {
    case 'create':
      if (!values.name) throw new KeysUsageError('keys create needs --name');
      if (!values.roles) throw new KeysUsageError('keys create needs --roles');
      if (positionals.length) throw new KeysUsageError(`unexpected argument ${positionals[0]}`);
      return {
        command,
        name: values.name,
        roles: csv(values.roles).map((r) => r.toUpperCase()),
        controllers: csv(values.controllers),
        sources: csv(values.sources),
        json,
      };
    case 'list':
      if (positionals.length) throw new KeysUsageError(`unexpected argument ${positionals[0]}`);
      return { command, all: values.all ?? false, json };
    case 'revoke':
      if (positionals.length !== 1) throw new KeysUsageError('keys revoke needs exactly one KEY_ID');
      return { command, id: positionals[0]!, json };
    default:
      throw new KeysUsageError(command ? `unknown keys command ${command}` : 'missing keys command');
  }
}

function describeKey(k: ApiKeyView): string {
  const status = k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'active';
  return [
    k.id,
    JSON.stringify(k.name),
    k.roles.join(','),
    k.controllerIds.length ? k.controllerIds.join(',') : '*',
    k.createdAt.toISOString(),
    k.lastUsedAt ? k.lastUsedAt.toISOString() : '-',
    status,
  ].join('\t');
}

export async function keysCreate(service: ApiKeyService, cmd: Extract<KeysCommand, { command: 'create' }>, io: KeysCliIo): Promise<void> {
  const { key, clearKey } = await service.create({
    name: cmd.name,
    roles: cmd.roles,
    controllerIds: cmd.controllers,
    sourceIds: cmd.sources,
  });
  if (cmd.json) {
    io.out(JSON.stringify({ ...key, key: clearKey }));
    return;
  }
  io.out(`created API key ${key.id} (${key.roles.join(',')}; controllers: ${key.controllerIds.join(',') || 'all'})`);
  io.out(clearKey);
  io.err('This is the only time the key is shown. Store it now; only its hash is kept.');
}

export async function keysList(service: ApiKeyService, cmd: Extract<KeysCommand, { command: 'list' }>, io: KeysCliIo): Promise<void> {
  const keys = await service.list({ includeRevoked: cmd.all });
  if (cmd.json) {
    io.out(JSON.stringify(keys));
    return;
  }
  io.out(['ID', 'NAME', 'ROLES', 'CONTROLLERS', 'CREATED', 'LAST USED', 'STATUS'].join('\t'));
  for (const k of keys) io.out(describeKey(k));
}

export async function keysRevoke(service: ApiKeyService, cmd: Extract<KeysCommand, { command: 'revoke' }>, io: KeysCliIo): Promise<void> {
  const key = await service.revoke(cmd.id);
  io.out(cmd.json ? JSON.stringify(key) : `revoked API key ${key.id} at ${key.revokedAt!.toISOString()}`);
}

/**
 * Runs one `keys` command. Exit codes: 0 done, 1 refused (coded error printed as
 * `CODE: message`), 64 usage error.
 */
export async function runKeysCommand(
  argv: readonly string[],
  service: ApiKeyService,
  io: KeysCliIo = { out: (l) => console.log(l), err: (l) => console.error(l) },
): Promise<number> {
  let cmd: KeysCommand;
  try {
    cmd = parseKeysArgs(argv);
  } catch (e) {
    io.err(`${(e as Error).message}\n${KEYS_USAGE}`);
    return 64;
  }
  try {
    if (cmd.command === 'create') await keysCreate(service, cmd, io);
    else if (cmd.command === 'list') await keysList(service, cmd, io);
    else await keysRevoke(service, cmd, io);
    return 0;
  } catch (e) {
    if (e instanceof AuthError) {
      io.err(`${e.code}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
