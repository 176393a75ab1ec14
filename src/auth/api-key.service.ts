import type { DataSource, EntityManager } from 'typeorm';
import { DomainError } from '../domain/errors.js';
import type { AuditActor, AuditRecorder } from '../audit/audit-log.js';
import { AuditAction, AuditOutcome, type KnownAuditAction } from '../audit/audit-actions.js';
import { ApiKey } from './api-key.entity.js';
import { generateApiKey, hashSecret, parseApiKey, verifySecret } from './api-key-format.js';
import { AuthError, unauthenticated } from './errors.js';
import { EVERY_CONTROLLER, onlyControllers, type Principal } from './principal.js';
import { Role, isRole } from './roles.js';

export const BOOTSTRAP_ADMIN_KEY_VARIABLE = 'DSR_BOOTSTRAP_ADMIN_KEY';

export interface CreateApiKeyInput {
  name: string;
  roles: readonly string[];
  /** Controllers to bind the key to; empty or absent = every controller. */
  controllerIds?: readonly string[];
  /** Sources a CONNECTOR key owns from the start (more are bound when it registers one). */
  sourceIds?: readonly string[];
}

/** A key as shown to administrators: never the secret or its hash. */
export interface ApiKeyView {
  id: string;
  name: string;
  roles: Role[];
  controllerIds: string[];
  sourceIds: string[];
  createdAt: Date;
  createdBy: string | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

export interface ApiKeyServiceOptions {
  audit?: AuditRecorder;
  now?: () => Date;
  /** lastUsedAt is written at most this often per key, to avoid a write per request (default 60). */
  lastUsedResolutionSeconds?: number;
  /**
   * How long a checked key is remembered, to spare a database read per request (default
   * 5; 0 turns it off). Revoking in this process forgets it at once; in other processes
   * a revoked key stops working within this many seconds.
   */
  cacheSeconds?: number;
  /**
   * The controllers a registered source is declared for, or null when no source of that id is
   * registered: a manager bound to controllers may give a key only sources it can see.
   * Without it such a manager may name no source at all.
   */
  sourceControllers?: (sourceId: string) => Promise<readonly string[] | null>;
}

interface CachedKey {
  secretHash: string;
  principal: Principal;
  expiresAt: number;
}

/** Keys remembered at most; the oldest go first. */
const CACHE_LIMIT = 10_000;

/** The actor of a key-management call: a principal, or the CLI/bootstrap (kind 'system'). */
export type KeyManager = Principal | AuditActor;

const SYSTEM_ACTOR: AuditActor = { id: 'cli', kind: 'system' };
const KEY_ID = /^[a-z0-9]{16}$/;
const ID_VALUE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$/;
// A real hash of nothing in particular, compared when a key id is unknown, so the answer
// takes the same time whether or not the id exists.
const DUMMY_HASH = hashSecret('dsr-gateway: no such key');

/** Only a well-formed key id can name a key; anything else is simply not found (and never reaches SQL). */
function isKeyId(id: unknown): id is string {
  return typeof id === 'string' && KEY_ID.test(id);
}

function toView(k: ApiKey): ApiKeyView {
  return {
    id: k.id,
    name: k.name,
    roles: k.roles.filter(isRole),
    controllerIds: [...k.controllerIds],
    sourceIds: [...k.sourceIds],
    createdAt: k.createdAt,
    createdBy: k.createdBy,
    revokedAt: k.revokedAt,
    lastUsedAt: k.lastUsedAt,
  };
}

/** The controllers a manager may give keys for; null for every controller (the CLI, bootstrap, an unbound principal). */
function controllerScopeOf(actor: KeyManager | undefined): readonly string[] | null {
  if (!actor || !('controllers' in actor) || actor.controllers.every) return null;
  return actor.controllers.ids;
}

function validateInput(input: CreateApiKeyInput): { name: string; roles: Role[]; controllerIds: string[]; sourceIds: string[] } {
  const bad = (msg: string) => new AuthError('BAD_USER_INPUT', msg);
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (name.length < 1 || name.length > 200 || /\p{Cc}/u.test(name)) {
    throw bad('name must be 1-200 printable characters');
  }
  if (!Array.isArray(input.roles) || input.roles.length === 0) throw bad('at least one role is required');
  const unknown = input.roles.filter((r) => !isRole(r));
  if (unknown.length) throw bad(`unknown role(s): ${unknown.join(', ')}; known: ${Object.values(Role).join(', ')}`);
  const list = (values: readonly string[] | undefined, what: string) => {
    const out = [...new Set(values ?? [])];
    if (out.some((v) => typeof v !== 'string' || !ID_VALUE.test(v))) throw bad(`invalid ${what} id`);
    return out;
  };
  return {
    name,
    roles: [...new Set(input.roles as Role[])],
    controllerIds: list(input.controllerIds, 'controller'),
    sourceIds: list(input.sourceIds, 'source'),
  };
}

/**
 * API keys: create (the clear key is returned once), list, revoke, authenticate.
 * A manager bound to controllers can only create, see and revoke keys bound within its own
 * controllers, so it can never mint a key wider than itself.
 */
export class ApiKeyService {
  private readonly checked = new Map<string, CachedKey>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: ApiKeyServiceOptions = {},
  ) {}

  private now(): Date {
    return (this.options.now ?? (() => new Date()))();
  }

  private actorOf(actor: KeyManager | undefined): AuditActor {
    return actor ? { id: actor.id, kind: actor.kind } : SYSTEM_ACTOR;
  }

  private withinScope(actor: KeyManager | undefined, controllerIds: readonly string[]): boolean {
    const scope = controllerScopeOf(actor);
    if (scope === null) return true;
    // A manager bound to no controller (an empty list) gives keys for none.
    return controllerIds.length > 0 && controllerIds.every((c) => scope.includes(c));
  }

  /**
   * A manager bound to controllers names only sources it can see (declared for one of its
   * controllers, or for none). Another controller's source is answered as an unknown one is,
   * so the refusal does not tell that it exists.
   */
  private async assertSourcesVisible(actor: KeyManager | undefined, sourceIds: readonly string[]): Promise<void> {
    const scope = controllerScopeOf(actor);
    if (scope === null) return;
    for (const id of sourceIds) {
      const controllers = (await this.options.sourceControllers?.(id)) ?? null;
      if (!controllers || (controllers.length > 0 && !controllers.some((c) => scope.includes(c)))) {
        throw new DomainError('SOURCE_NOT_FOUND', `no source ${id}`);
      }
    }
  }

  private async audit(m: EntityManager, actor: KeyManager | undefined, action: KnownAuditAction, keyId: string, params: unknown) {
    await this.options.audit?.record({ actor: this.actorOf(actor), action, target: { type: 'api-key', id: keyId }, params, outcome: AuditOutcome.SUCCESS }, m);
  }

  async create(input: CreateApiKeyInput, actor?: KeyManager): Promise<{ key: ApiKeyView; clearKey: string }> {
    const valid = validateInput(input);
    if (!this.withinScope(actor, valid.controllerIds)) {
      throw new AuthError('FORBIDDEN', 'a key can only be bound within your own controllers');
    }
    await this.assertSourcesVisible(actor, valid.sourceIds);
    const generated = generateApiKey();
    const row = Object.assign(new ApiKey(), {
      id: generated.keyId,
      name: valid.name,
      secretHash: hashSecret(generated.secret),
      roles: valid.roles,
      controllerIds: valid.controllerIds,
      sourceIds: valid.sourceIds,
      createdAt: this.now(),
      createdBy: actor?.id ?? SYSTEM_ACTOR.id,
      revokedAt: null,
      revokedBy: null,
      lastUsedAt: null,
    });
    await this.dataSource.transaction(async (m) => {
      await m.getRepository(ApiKey).insert(row);
      await this.audit(m, actor, AuditAction.KEY_CREATE, row.id, {
        roles: valid.roles,
        controllerIds: valid.controllerIds,
        sourceIds: valid.sourceIds,
      });
    });
    return { key: toView(row), clearKey: generated.clearKey };
  }

  async list(options: { includeRevoked?: boolean } = {}, actor?: KeyManager): Promise<ApiKeyView[]> {
    const qb = this.dataSource.getRepository(ApiKey).createQueryBuilder('k').orderBy('k.created_at', 'ASC').addOrderBy('k.id', 'ASC');
    if (!options.includeRevoked) qb.where('k.revoked_at IS NULL');
    const rows = await qb.getMany();
    return rows.filter((r) => this.withinScope(actor, r.controllerIds)).map(toView);
  }

  async get(id: string, actor?: KeyManager): Promise<ApiKeyView | null> {
    if (!isKeyId(id)) return null;
    const row = await this.dataSource.getRepository(ApiKey).findOneBy({ id });
    return row && this.withinScope(actor, row.controllerIds) ? toView(row) : null;
  }

  /** Revokes a key (idempotent: revoking a revoked key returns it unchanged). */
  async revoke(id: string, actor?: KeyManager): Promise<ApiKeyView> {
    return this.dataSource.transaction(async (m) => {
      const repo = m.getRepository(ApiKey);
      const row = isKeyId(id) ? await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } }) : null;
      if (!row || !this.withinScope(actor, row.controllerIds)) throw new AuthError('NOT_FOUND', `no API key ${String(id)}`);
      if (row.revokedAt) return toView(row);
      row.revokedAt = this.now();
      row.revokedBy = actor?.id ?? SYSTEM_ACTOR.id;
      await repo.update({ id }, { revokedAt: row.revokedAt, revokedBy: row.revokedBy });
      this.checked.delete(id);
      await this.audit(m, actor, AuditAction.KEY_REVOKE, id, {});
      return toView(row);
    });
  }

  /** Binds a source to a CONNECTOR key (call after that key registered the source). */
  async bindSource(keyId: string, sourceId: string): Promise<void> {
    if (!ID_VALUE.test(sourceId)) throw new AuthError('BAD_USER_INPUT', 'invalid source id');
    await this.dataSource.query(`UPDATE api_keys SET source_ids = array_append(source_ids, $2) WHERE id = $1 AND NOT ($2 = ANY(source_ids))`, [
      keyId,
      sourceId,
    ]);
    this.checked.delete(keyId);
  }

  /**
   * Turns a presented API key into a principal. Any failure (malformed, unknown, wrong
   * secret, revoked) is the same UNAUTHENTICATED answer, so callers learn nothing.
   */
  async authenticate(token: string | null | undefined): Promise<Principal> {
    const parsed = typeof token === 'string' ? parseApiKey(token) : null;
    if (!parsed) throw unauthenticated('invalid API key');
    const cached = this.checked.get(parsed.keyId);
    if (cached && cached.expiresAt > this.now().getTime() && verifySecret(parsed.secret, cached.secretHash)) return cached.principal;
    const row = await this.dataSource.getRepository(ApiKey).findOneBy({ id: parsed.keyId });
    const secretOk = verifySecret(parsed.secret, row?.secretHash ?? DUMMY_HASH);
    if (!row || !secretOk || row.revokedAt) throw unauthenticated('invalid API key');
    const resolution = this.options.lastUsedResolutionSeconds ?? 60;
    const now = this.now();
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= resolution * 1000) {
      await this.dataSource.query(
        `UPDATE api_keys SET last_used_at = $2
          WHERE id = $1 AND (last_used_at IS NULL OR last_used_at <= $2::timestamptz - make_interval(secs => $3))`,
        [row.id, now, resolution],
      );
    }
    const principal: Principal = {
      kind: 'api-key',
      id: row.id,
      name: row.name,
      roles: row.roles.filter(isRole),
      // A key stored with no controllers is an unbound key, made so on purpose: every controller.
      controllers: row.controllerIds.length === 0 ? EVERY_CONTROLLER : onlyControllers(row.controllerIds),
      sourceIds: [...row.sourceIds],
    };
    const ttl = this.options.cacheSeconds ?? 5;
    if (ttl > 0) {
      if (this.checked.size >= CACHE_LIMIT) this.checked.delete(this.checked.keys().next().value!);
      this.checked.set(row.id, { secretHash: row.secretHash, principal, expiresAt: now.getTime() + ttl * 1000 });
    }
    return principal;
  }

  /**
   * Makes sure the key given in DSR_BOOTSTRAP_ADMIN_KEY exists as an unscoped ADMIN key.
   * Idempotent and safe when several instances start at once. A key an administrator has
   * since revoked stays revoked: restarting must not resurrect it.
   */
  async ensureBootstrapAdminKey(clearKey: string): Promise<{ id: string; created: boolean; revoked: boolean }> {
    const parsed = parseApiKey(clearKey?.trim() ?? '');
    if (!parsed) {
      throw new AuthError('CONFIG_ERROR', `${BOOTSTRAP_ADMIN_KEY_VARIABLE} is not a valid key (dsr_<16 lowercase letters/digits>_<43+ base64url characters>)`);
    }
    const secretHash = hashSecret(parsed.secret);
    return this.dataSource.transaction(async (m) => {
      const inserted = (await m.query(
        `INSERT INTO api_keys (id, name, secret_hash, roles, controller_ids, source_ids, created_at, created_by)
         VALUES ($1, 'bootstrap administrator', $2, $3, '{}', '{}', $4, 'bootstrap')
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        [parsed.keyId, secretHash, [Role.ADMIN], this.now()],
      )) as unknown[];
      const created = inserted.length > 0;
      const row = await m.getRepository(ApiKey).findOneByOrFail({ id: parsed.keyId });
      if (!verifySecret(parsed.secret, row.secretHash)) {
        throw new AuthError('CONFIG_ERROR', `${BOOTSTRAP_ADMIN_KEY_VARIABLE} has the id of an existing key with another secret`);
      }
      if (created) {
        await this.options.audit?.record(
          {
            actor: { id: 'bootstrap', kind: 'system' },
            action: AuditAction.KEY_BOOTSTRAP,
            target: { type: 'api-key', id: row.id },
            params: { roles: [Role.ADMIN] },
            outcome: AuditOutcome.SUCCESS,
          },
          m,
        );
      }
      return { id: row.id, created, revoked: row.revokedAt !== null };
    });
  }
}
