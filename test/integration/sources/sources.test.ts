// `sources` and `registerSource` over HTTP: the six reference systems as DOMAIN.md states
// them, a database the gateway has never seen registered with nothing but a mapping, and
// the rules on who may register what.
import { writeFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestGateway } from '../../support/runtime.js';
import { crmSourceConfig, type ForeignDatabase } from '../connectors/foreign-crm.js';
import { startCrmGateway, type CrmGateway } from './crm-gateway.js';
import type { ReferenceGateway } from '../discovery/reference-gateway.js';
import { graphqlCodeOf } from '../../support/error-codes.js';

let ref: ReferenceGateway;
let crm: ForeignDatabase;
let admin: Record<string, string>;
let handler: Record<string, string>;

const SOURCES = `{ sources { id name kind type healthy checkedAt capabilities identifierTypes dataCategories controllerIds
  fields { recordType field categories special }
  retention { summary activePeriod archivePeriod maxAge periods statutory basis erasure }
  controller { role defaultControllerId } } }`;

interface SourceView {
  id: string;
  name: string;
  kind: string;
  type: string;
  healthy: boolean;
  checkedAt: string;
  capabilities: string[];
  identifierTypes: string[];
  dataCategories: string[];
  controllerIds: string[];
  fields: { recordType: string; field: string; categories: string[]; special: boolean }[];
  retention: {
    summary: string;
    activePeriod: string | null;
    archivePeriod: string | null;
    maxAge: string | null;
    periods: string[];
    statutory: boolean;
    basis: string | null;
    erasure: string;
  } | null;
  controller: { role: string; defaultControllerId: string | null } | null;
}

const REGISTER = `mutation R($input: RegisterSourceInput!) { registerSource(input: $input) { id name kind type healthy registeredBy dataCategories } }`;

function registration(config: Record<string, unknown>) {
  const { id, name, kind, type, connection, mapping, controller, retention } = config;
  return { id, name, kind, type, connection, mapping, controller, retention };
}

let env: CrmGateway | undefined;

beforeAll(async () => {
  env = await startCrmGateway({ people: 60, seed: 5 });
  ({ ref, crm, admin, handler } = env);
}, 180_000);

afterAll(async () => {
  await env?.stop();
});

describe('sources', () => {
  it('lists the six reference systems, healthy, with categories and retention as DOMAIN.md states them', async () => {
    const reply = await ref.gw.graphql<{ sources: SourceView[] }>(SOURCES, {}, handler);
    expect(reply.body.errors).toBeUndefined();
    const byId = new Map(reply.body.data!.sources.map((s) => [s.id, s]));
    expect([...byId.keys()].sort()).toEqual(['case_management', 'cctv', 'clinic', 'concierge', 'recruitment', 'training']);
    for (const s of byId.values()) {
      expect(s.healthy, s.id).toBe(true);
      expect(s.capabilities).toContain('DISCOVER');
      expect(s.identifierTypes.length).toBeGreaterThan(0);
      expect(s.fields.length).toBeGreaterThan(0);
      expect(s.retention).not.toBeNull();
    }
    const cm = byId.get('case_management')!;
    expect(cm.kind).toBe('CASE_MANAGEMENT');
    expect(cm.retention).toMatchObject({ activePeriod: 'P2Y', archivePeriod: 'P1Y', statutory: false });
    expect(cm.dataCategories).toEqual(expect.arrayContaining(['CASE_NOTES', 'CALL_RECORDING', 'CONSENT', 'EMPLOYMENT']));

    const clinic = byId.get('clinic')!;
    expect(clinic.retention).toMatchObject({ activePeriod: 'P3Y', archivePeriod: 'P30Y', statutory: true, erasure: 'LEGAL_HOLD' });
    expect(clinic.retention!.basis).toBeTruthy();
    expect(clinic.dataCategories).toContain('HEALTH');
    expect(clinic.fields.filter((f) => f.categories.includes('HEALTH')).every((f) => f.special)).toBe(true);

    expect(byId.get('training')!.retention).toMatchObject({ activePeriod: 'P2Y', archivePeriod: 'P1Y' });
    expect(byId.get('training')!.type).toBe('remote');
    expect(byId.get('concierge')!.dataCategories).toContain('PAYMENT_CARD');
    expect(byId.get('recruitment')!.retention!.erasure).toBe('MINIMISE');
    expect(byId.get('recruitment')!.fields.some((f) => f.special)).toBe(true);
    expect(byId.get('cctv')!.retention).toMatchObject({ maxAge: 'P90D', periods: ['P90D'] });
    expect(byId.get('cctv')!.dataCategories).toContain('VIDEO');
  });

  it('refuses sources without source:read', async () => {
    const reply = await ref.gw.graphql(SOURCES, {}, await bearer(ref.gw, ['AUDITOR']));
    expect(graphqlCodeOf(reply)).toBe('FORBIDDEN');
  });
});

describe('registerSource', () => {
  it('registers a PostgreSQL database the gateway has never seen, then finds a person in it', async () => {
    const reply = await ref.gw.graphql<{ registerSource: { id: string; healthy: boolean; type: string; dataCategories: string[] } }>(
      REGISTER,
      { input: registration(crmSourceConfig(crm.url)) },
      admin,
    );
    expect(reply.body.errors).toBeUndefined();
    expect(reply.body.data!.registerSource).toMatchObject({ id: 'crm', type: 'sql', healthy: true });
    expect(reply.body.data!.registerSource.dataCategories).toContain('HEALTH');

    const found = await ref.gw.graphql<{
      subject: { complete: boolean; records: { sourceId: string; recordId: string; band: string; data: Record<string, unknown> }[] };
    }>(
      `query { subject(query: { identifiers: [{ type: FULL_NAME, value: "chloe NAKAMURA" }, { type: EMAIL, value: "Chloe.N@example.com" }], sourceIds: ["crm"] }) {
        complete records { sourceId recordId band data } } }`,
      {},
      handler,
    );
    expect(found.body.errors).toBeUndefined();
    const match = found.body.data!.subject.records.find((r) => r.band === 'MATCH')!;
    expect(match.sourceId).toBe('crm');
    expect(match.data.e_mail).toBe('chloe.n@example.com');
    // Allergies are health data: withheld from a handler without SPECIAL_CATEGORY (R12).
    expect(match.data.allergies).toEqual({ withheld: true, reason: 'SPECIAL_CATEGORY' });

    const audit = await ref.gw.runtime.services.audit.list({ actions: ['source.register'], targetId: 'crm' });
    expect(audit.entries).toHaveLength(1);
    expect(audit.entries[0]!.outcome).toBe('SUCCESS');
  });

  it('rejects a bad registration with INVALID_SOURCE_CONFIG naming the field', async () => {
    const config = crmSourceConfig(crm.url) as Record<string, unknown>;
    const badMapping = { ...config, id: 'crm-bad', mapping: { recordTypes: [{ name: 'customer', table: 'crm.customers' }] } };
    const reply = await ref.gw.graphql(REGISTER, { input: registration(badMapping) }, admin);
    expect(graphqlCodeOf(reply)).toBe('INVALID_SOURCE_CONFIG');
    expect(reply.body.errors?.[0]?.extensions?.field).toMatch(/^mapping\.recordTypes\[0\]/);

    const withPassword = { ...config, id: 'crm-bad', connection: { url: crm.url.replace('postgres@', 'postgres:secret@') } };
    const leaked = await ref.gw.graphql(REGISTER, { input: registration(withPassword) }, admin);
    expect(graphqlCodeOf(leaked)).toBe('INVALID_SOURCE_CONFIG');
    expect(leaked.body.errors?.[0]?.message).not.toContain('secret');

    const missingSecret = { ...config, id: 'crm-bad', connection: { url: crm.url, passwordEnv: 'DSR_SOURCE_SECRET_NO_SUCH_VARIABLE' } };
    const unset = await ref.gw.graphql(REGISTER, { input: registration(missingSecret) }, admin);
    expect(graphqlCodeOf(unset)).toBe('INVALID_SOURCE_CONFIG');
    expect(unset.body.errors?.[0]?.extensions?.field).toBe('connection.passwordEnv');
    expect(await ref.gw.runtime.services.sources.find('crm-bad')).toBeNull();
  });

  it('a CONNECTOR registers its own source and may update only that one', async () => {
    const connectorKey = await bearer(ref.gw, ['CONNECTOR']);
    const config = { ...(crmSourceConfig(crm.url) as Record<string, unknown>), id: 'crm-team', name: 'Team CRM' };
    const created = await ref.gw.graphql<{ registerSource: { id: string; registeredBy: string } }>(REGISTER, { input: registration(config) }, connectorKey);
    expect(created.body.errors).toBeUndefined();
    const updated = await ref.gw.graphql(REGISTER, { input: registration({ ...config, name: 'Team CRM (renamed)' }) }, connectorKey);
    expect(updated.body.errors).toBeUndefined();

    const otherTeam = await bearer(ref.gw, ['CONNECTOR']);
    const hijack = await ref.gw.graphql(REGISTER, { input: registration({ ...config, name: 'Not yours' }) }, otherTeam);
    expect(graphqlCodeOf(hijack)).toBe('FORBIDDEN');
    const notOwn = await ref.gw.graphql(
      REGISTER,
      { input: registration({ ...(crmSourceConfig(crm.url) as Record<string, unknown>), name: 'CRM taken over' }) },
      connectorKey,
    );
    expect(graphqlCodeOf(notOwn)).toBe('FORBIDDEN');
    expect((await ref.gw.runtime.services.sources.find('crm-team'))!.name).toBe('Team CRM (renamed)');

    const denied = await ref.gw.runtime.services.audit.list({ actions: ['source.update'], targetId: 'crm-team' });
    expect(denied.entries.map((e) => e.outcome).sort()).toEqual(['DENIED', 'SUCCESS']);
    const byHandler = await ref.gw.graphql(REGISTER, { input: registration(config) }, handler);
    expect(graphqlCodeOf(byHandler)).toBe('FORBIDDEN');
  });

  it('registers an unreachable source and reports it unhealthy instead of dropping it', async () => {
    const config = { ...(crmSourceConfig('postgres://postgres@127.0.0.1:1/nowhere') as Record<string, unknown>), id: 'crm-down', name: 'CRM down' };
    const reply = await ref.gw.graphql<{ registerSource: { id: string; healthy: boolean } }>(REGISTER, { input: registration(config) }, admin);
    expect(reply.body.errors).toBeUndefined();
    expect(reply.body.data!.registerSource).toMatchObject({ id: 'crm-down', healthy: false });
    const answer = await ref.gw.graphql<{ subject: { complete: boolean; sources: { sourceId: string; status: string }[] } }>(
      `query { subject(query: { identifiers: [{ type: EMAIL, value: "chloe.n@example.com" }], sourceIds: ["crm", "crm-down"] }) { complete sources { sourceId status } } }`,
      {},
      handler,
    );
    expect(answer.body.data!.subject.complete).toBe(false);
    expect(answer.body.data!.subject.sources.find((s) => s.sourceId === 'crm-down')!.status).toBe('FAILED');
    expect(answer.body.data!.subject.sources.find((s) => s.sourceId === 'crm')!.status).toBe('ANSWERED');
  });
});

describe('SOURCES_FILE', () => {
  it('registers the sources of a config file at start', async () => {
    const file = path.join(os.tmpdir(), `dsr-sources-${process.pid}-${Date.now()}.json`);
    await writeFile(file, JSON.stringify({ sources: [{ ...(crmSourceConfig(crm.url) as Record<string, unknown>), id: 'crm-file' }] }));
    const gw = await startTestGateway({ worker: false, env: { SOURCES_FILE: file, DSR_SOURCE_SECRET_CRM_DB_PASSWORD: 'x' } });
    try {
      const reply = await gw.graphql<{ sources: { id: string; healthy: boolean }[] }>('{ sources { id healthy } }', {}, await bearer(gw, ['ADMIN']));
      expect(reply.body.data!.sources).toEqual([{ id: 'crm-file', healthy: true }]);
    } finally {
      await gw.stop();
      await rm(file, { force: true });
    }
  });
});
