import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../../src/version.js';

// One owner per table: a request's tables are named only in the request store's folder, the
// task table only in the task store's (and both in the migrations that create them). A
// query written anywhere else in the server code fails here, naming the file and line.
const REQUEST_TABLES = /\b(data_subject_request|request_transition|request_record|record_decision|controller_instruction|access_package)\b/;
// "task" is also an ordinary word: only its use as a table name counts.
const TASK_TABLE = /\b(FROM|JOIN|UPDATE|INTO|TABLE)\s+"?task\b|name:\s*'task'/i;

const RETENTION_TABLES = /\b(retention_run|retention_run_item)\b/;

const OWNERS: { folder: string; table: RegExp }[] = [
  { folder: 'src/requests/store/', table: REQUEST_TABLES },
  { folder: 'src/execution/store/', table: TASK_TABLE },
  { folder: 'src/retention/store/', table: RETENTION_TABLES },
];
const SCANNED = ['src', 'schema', 'jobs', 'connectors'];
const SKIPPED = ['src/database/migrations/', 'src/console/'];

function sourceFiles(dir: string): string[] {
  return readdirSync(join(projectRoot, dir), { withFileTypes: true }).flatMap((e) => {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sourceFiles(path);
    return /\.tsx?$/.test(e.name) ? [path] : [];
  });
}

/** `file:line` of every place a table is named outside its owner. */
function strays(files: readonly { path: string; text: string }[]): string[] {
  const out: string[] = [];
  for (const { path, text } of files) {
    if (SKIPPED.some((s) => path.startsWith(s))) continue;
    text.split('\n').forEach((line, i) => {
      for (const { folder, table } of OWNERS) if (!path.startsWith(folder) && table.test(line)) out.push(`${path}:${i + 1}`);
    });
  }
  return out;
}

describe('one owner per table', () => {
  it('names the request and task tables only in their stores and migrations', () => {
    const files = SCANNED.flatMap(sourceFiles).map((path) => ({
      path: relative(projectRoot, join(projectRoot, path)),
      text: readFileSync(join(projectRoot, path), 'utf8'),
    }));
    expect(files.length).toBeGreaterThan(100);
    expect(strays(files)).toEqual([]);
  });

  it('finds a query on an owned table written outside its store', () => {
    const files = [
      { path: 'src/http/metrics-route.ts', text: 'const ok = 1;\nawait db.query(`SELECT status FROM task GROUP BY status`);' },
      { path: 'schema/requests/request.views.ts', text: 'await m.query(`SELECT * FROM request_transition`);' },
      { path: 'src/execution/store/task.store.ts', text: 'await m.query(`SELECT * FROM task`);' },
      { path: 'src/requests/store/request.store.ts', text: 'await m.query(`SELECT * FROM access_package`);' },
      { path: 'src/execution/task-runner.ts', text: '// the outcome persisted in the task table' },
    ];
    expect(strays(files)).toEqual(['src/http/metrics-route.ts:2', 'schema/requests/request.views.ts:1']);
  });
});
