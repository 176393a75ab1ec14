import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../../src/database/data-source.js';
import { createTestDatabase } from '../../support/test-database.js';
import { ApiKeyService } from '../../../src/auth/api-key.service.js';
import { generateApiKey } from '../../../src/auth/api-key-format.js';
import { AuditLog } from '../../../src/audit/audit-log.js';
import { verifyAuditChain } from '../../../src/audit/verify-chain.js';
import { Role } from '../../../src/auth/roles.js';
import { EVERY_CONTROLLER, onlyControllers, type Principal } from '../../../src/auth/principal.js';
import { codeOf } from '../../support/error-codes.js';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let ds: DataSource;
let keys: ApiKeyService;
let audit: AuditLog;

beforeAll(async () => {
  db = await createTestDatabase();
  ds = createDataSource({ url: db.url, poolSize: 4 });
  await ds.initialize();
  audit = new AuditLog(ds);
  keys = new ApiKeyService(ds, { audit });
});

afterAll(async () => {
  await ds?.destroy();
  await db?.drop();
});

describe('API keys', () => {
  it('create returns the clear key once and stores only a hash of the secret', async () => {
    const { key, clearKey } = await keys.create({ name: 'ops handler', roles: ['HANDLER'], controllerIds: ['ctrl-a'] });
    expect(clearKey.startsWith(`dsr_${key.id}_`)).toBe(true);
    const secret = clearKey.slice(`dsr_${key.id}_`.length);
    const [row] = await ds.query(`SELECT * FROM api_keys WHERE id = $1`, [key.id]);
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(row.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(key).toMatchObject({ name: 'ops handler', roles: [Role.HANDLER], controllerIds: ['ctrl-a'], revokedAt: null });
    expect(JSON.stringify(await keys.list())).not.toContain(row.secret_hash);
  });

  it('authenticate turns a valid key into a principal and records lastUsedAt', async () => {
    const { key, clearKey } = await keys.create({ name: 'a', roles: ['HANDLER', 'SPECIAL_CATEGORY'], controllerIds: ['A', 'B'] });
    const p = await keys.authenticate(clearKey);
    expect(p).toMatchObject({ kind: 'api-key', id: key.id, roles: ['HANDLER', 'SPECIAL_CATEGORY'], controllers: onlyControllers(['A', 'B']) });
    expect((await keys.get(key.id))!.lastUsedAt).toBeInstanceOf(Date);
  });

  it('writes lastUsedAt at most once a minute per key, not on every request', async () => {
    let now = new Date('2031-03-01T12:00:00.000Z');
    const clocked = new ApiKeyService(ds, { now: () => now });
    const { key, clearKey } = await clocked.create({ name: 'clocked', roles: ['WORKER'] });
    await clocked.authenticate(clearKey);
    expect((await clocked.get(key.id))!.lastUsedAt).toEqual(now);
    const first = now;
    now = new Date(first.getTime() + 30_000);
    await clocked.authenticate(clearKey);
    expect((await clocked.get(key.id))!.lastUsedAt).toEqual(first);
    now = new Date(first.getTime() + 61_000);
    await clocked.authenticate(clearKey);
    expect((await clocked.get(key.id))!.lastUsedAt).toEqual(now);
  });

  it('wrong secret, unknown id, malformed or missing key are all UNAUTHENTICATED', async () => {
    const { key } = await keys.create({ name: 'b', roles: ['AUDITOR'] });
    const other = generateApiKey();
    expect(await codeOf(keys.authenticate(`dsr_${key.id}_${other.secret}`))).toBe('UNAUTHENTICATED');
    expect(await codeOf(keys.authenticate(other.clearKey))).toBe('UNAUTHENTICATED');
    expect(await codeOf(keys.authenticate('garbage'))).toBe('UNAUTHENTICATED');
    expect(await codeOf(keys.authenticate(undefined))).toBe('UNAUTHENTICATED');
  });

  it('a revoked key no longer authenticates, and disappears from the default list', async () => {
    const { key, clearKey } = await keys.create({ name: 'c', roles: ['WORKER'] });
    const revoked = await keys.revoke(key.id);
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    expect(await codeOf(keys.authenticate(clearKey))).toBe('UNAUTHENTICATED');
    expect((await keys.list()).map((k) => k.id)).not.toContain(key.id);
    expect((await keys.list({ includeRevoked: true })).map((k) => k.id)).toContain(key.id);
    expect((await keys.revoke(key.id)).revokedAt).toEqual(revoked.revokedAt);
    expect(await codeOf(keys.revoke('0000000000000000'))).toBe('NOT_FOUND');
  });

  it('rejects bad input with BAD_USER_INPUT', async () => {
    expect(await codeOf(keys.create({ name: '', roles: ['ADMIN'] }))).toBe('BAD_USER_INPUT');
    expect(await codeOf(keys.create({ name: 'x', roles: [] }))).toBe('BAD_USER_INPUT');
    expect(await codeOf(keys.create({ name: 'x', roles: ['ROOT'] }))).toBe('BAD_USER_INPUT');
    expect(await codeOf(keys.create({ name: 'x', roles: ['ADMIN'], controllerIds: ['bad id!'] }))).toBe('BAD_USER_INPUT');
  });

  it('an admin bound to controller A cannot mint a wider key, nor see or revoke keys outside A', async () => {
    const adminA: Principal = { kind: 'api-key', id: 'adminA', roles: [Role.ADMIN], controllers: onlyControllers(['A']) };
    expect(await codeOf(keys.create({ name: 'wide', roles: ['HANDLER'] }, adminA))).toBe('FORBIDDEN');
    expect(await codeOf(keys.create({ name: 'b', roles: ['HANDLER'], controllerIds: ['B'] }, adminA))).toBe('FORBIDDEN');
    const inA = await keys.create({ name: 'in A', roles: ['HANDLER'], controllerIds: ['A'] }, adminA);
    expect(inA.key.createdBy).toBe('adminA');
    const inB = await keys.create({ name: 'in B', roles: ['HANDLER'], controllerIds: ['B'] });
    const visible = (await keys.list({}, adminA)).map((k) => k.id);
    expect(visible).toContain(inA.key.id);
    expect(visible).not.toContain(inB.key.id);
    expect(await codeOf(keys.revoke(inB.key.id, adminA))).toBe('NOT_FOUND');
    expect(await keys.get(inB.key.id, adminA)).toBeNull();
  });

  it('a CONNECTOR key gains the sources it registers', async () => {
    const { key, clearKey } = await keys.create({ name: 'clinic feed', roles: ['CONNECTOR'] });
    await keys.bindSource(key.id, 'src-clinic');
    await keys.bindSource(key.id, 'src-clinic');
    expect((await keys.authenticate(clearKey)).sourceIds).toEqual(['src-clinic']);
  });

  it('bootstrap admin key is created once, idempotently, and a revoked one stays revoked', async () => {
    const boot = generateApiKey();
    const first = await keys.ensureBootstrapAdminKey(boot.clearKey);
    const [again, again2] = await Promise.all([keys.ensureBootstrapAdminKey(boot.clearKey), keys.ensureBootstrapAdminKey(boot.clearKey)]);
    expect(first).toEqual({ id: boot.keyId, created: true, revoked: false });
    expect(again.created || again2.created).toBe(false);
    const p = await keys.authenticate(boot.clearKey);
    expect(p.roles).toEqual([Role.ADMIN]);
    expect(p.controllers).toEqual(EVERY_CONTROLLER);
    await keys.revoke(boot.keyId);
    expect(await keys.ensureBootstrapAdminKey(boot.clearKey)).toEqual({ id: boot.keyId, created: false, revoked: true });
    expect(await codeOf(keys.authenticate(boot.clearKey))).toBe('UNAUTHENTICATED');
    expect(await codeOf(keys.ensureBootstrapAdminKey('nonsense'))).toBe('CONFIG_ERROR');
    const clash = generateApiKey();
    expect(await codeOf(keys.ensureBootstrapAdminKey(`dsr_${boot.keyId}_${clash.secret}`))).toBe('CONFIG_ERROR');
  });

  it('R13: key creation and revocation are recorded in the audit log, without the secret', async () => {
    const { key, clearKey } = await keys.create({ name: 'audited', roles: ['AUDITOR'] });
    await keys.revoke(key.id);
    const page = await audit.list({ targetType: 'api-key', targetId: key.id }, { order: 'asc' });
    expect(page.entries.map((e) => e.action)).toEqual(['key.create', 'key.revoke']);
    expect(JSON.stringify(page.entries)).not.toContain(clearKey.slice(21));
    expect(await verifyAuditChain(ds)).toMatchObject({ ok: true });
  });
});
