// R3/R4: the receipt and verification dates start the clocks. They are entered once (at
// submission, at verification) and no operation changes them afterwards, so neither can be
// moved later to gain time once the request was acknowledged or its deadline neared.
import { readFileSync } from 'node:fs';
import { buildSchema, isInputObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { SCHEMA_FILE } from '../../../schema/render-schema.js';

const CLOCK_DATES = /^(receivedAt|verifiedAt|dueAt|acknowledgeBy)$/;

describe('dates that start the deadlines (R3, R4)', () => {
  it('only submitRequest (receivedAt) and verifyIdentity (verifiedAt) take them: no mutation changes them later', () => {
    const schema = buildSchema(readFileSync(SCHEMA_FILE, 'utf8'));
    const takers: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isInputObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) if (CLOCK_DATES.test(field.name)) takers.push(`${type.name}.${field.name}`);
    }
    for (const m of Object.values(schema.getMutationType()!.getFields())) {
      for (const a of m.args) if (CLOCK_DATES.test(a.name)) takers.push(`${m.name}(${a.name})`);
    }
    expect(takers.sort()).toEqual(['IdentityVerificationInput.verifiedAt', 'SubmitRequestInput.receivedAt']);
    const mutations = schema.getMutationType()!.getFields();
    const using = (input: string) =>
      Object.values(mutations)
        .filter((m) => m.args.some((a) => String(a.type).replace(/!$/, '') === input))
        .map((m) => m.name);
    expect(using('SubmitRequestInput')).toEqual(['submitRequest']);
    expect(using('IdentityVerificationInput')).toEqual(['verifyIdentity']);
  });
});
