// The migration recording that the person was told of an extension (R5): when and by whom,
// only on an extended request; down removes it; up again works.
import { describe, expect, it } from 'vitest';
import { migrationDatabase } from '../../support/migration-database.js';

const database = migrationDatabase();
const { applied, undoThrough } = database;
const columns = () => database.columns('data_subject_request');

const MIGRATION = 'ExtensionNoticeSent1764000010400';
describe('migration: the extension notice sent to the person', () => {
  it('up adds extension_notice_sent_at/by, refused without an extension; down removes them; up again works', async () => {
    expect(await applied()).toContain(MIGRATION);
    expect(await columns()).toEqual(expect.arrayContaining(['extension_notice_sent_at', 'extension_notice_sent_by']));
    await undoThrough(MIGRATION);
    expect(await columns()).not.toContain('extension_notice_sent_at');

    await database.ds.runMigrations({ transaction: 'each' });
    expect(await columns()).toEqual(expect.arrayContaining(['extension_notice_sent_at', 'extension_notice_sent_by']));
    const check = await database.ds.query(`SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'dsr_extension_notice_check'`);
    expect(check[0].def).toMatch(/extension_notice_sent_at IS NULL.*extended_due_at IS NOT NULL/);

    await undoThrough(MIGRATION);
    expect(await columns()).not.toContain('extension_notice_sent_by');
    await database.ds.runMigrations({ transaction: 'each' });
    expect(await applied()).toContain(MIGRATION);
  });
});
