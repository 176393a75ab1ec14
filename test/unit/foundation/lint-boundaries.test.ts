import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../../src/version.js';

// The import boundaries live in eslint.config.js; these tests lint one-line files at real
// paths through ESLint's own API, so a boundary that stops firing (or starts firing on an
// allowed import) fails here, not in review.
const eslint = new ESLint({ cwd: projectRoot });

async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport const used = x;\n`, { filePath: join(projectRoot, file) });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import boundaries', () => {
  it('the core (src/) does not import the workers (jobs/)', async () => {
    expect(await boundaryErrors('src/requests/new-rule.ts', `import { x } from '../../jobs/workers.js';`)).toEqual([
      expect.stringContaining('does not import the workers (jobs/)'),
    ]);
  });

  it('the core (src/) does not import the GraphQL layer (schema/), type imports included', async () => {
    expect(await boundaryErrors('src/requests/services/new-service.ts', `import type { x } from '../../../schema/context.js';`)).toEqual([
      expect.stringContaining('does not import the GraphQL layer (schema/)'),
    ]);
  });

  it('the core (src/) does not import a concrete connector', async () => {
    for (const target of ['clinic/connector.js', 'builtin.ts', 'reference-systems.js', 'demo-sources.js']) {
      expect(await boundaryErrors('src/requests/decisions.ts', `import { x } from '../../connectors/${target}';`), target).toEqual([
        expect.stringContaining('not a concrete connector'),
      ]);
    }
  });

  it('the core (src/) may import the connector contract and the generic connector pieces', async () => {
    for (const target of ['contract.js', 'registry.js', 'source-config.js', 'shared/copy.js', 'sql/connector.js', 'remote/client.js']) {
      expect(await boundaryErrors('src/sources/new-file.ts', `import { x } from '../../connectors/${target}';`), target).toEqual([]);
    }
  });

  it('an exception allows only the listed target in the listed file', async () => {
    expect(await boundaryErrors('src/execution/task-jobs.ts', `import { x } from '../../jobs/queue-names.js';`)).toEqual([]);
    expect(await boundaryErrors('src/execution/task-jobs.ts', `import { x } from '../../jobs/workers.js';`)).toHaveLength(1);
    expect(await boundaryErrors('src/execution/task-runner.ts', `import { x } from '../../jobs/queue-names.js';`)).toHaveLength(1);
  });

  it('the GraphQL layer (schema/) does not import TypeORM', async () => {
    expect(await boundaryErrors('schema/requests/new.resolver.ts', `import { x } from 'typeorm';`)).toEqual([
      expect.stringContaining('does not import TypeORM'),
    ]);
    expect(await boundaryErrors('schema/requests/new.resolver.ts', `import { x } from 'typeorm/browser';`)).toHaveLength(1);
    expect(await boundaryErrors('schema/requests/new.resolver.ts', `import { x } from '../../src/requests/index.js';`)).toEqual([]);
  });

  it('the handler console (browser) does not import Node built-ins, server packages or code outside it', async () => {
    const violations = [
      ['src/console/src/App.tsx', `import { x } from 'node:fs';`],
      ['src/console/src/App.tsx', `import { x } from 'crypto';`],
      ['src/console/src/App.tsx', `import { x } from 'pg';`],
      ['src/console/src/screens/Inbox.tsx', `import { x } from 'typeorm';`],
      ['src/console/src/screens/Inbox.tsx', `import { x } from '../../vite.config.js';`],
      ['src/console/src/App.tsx', `import { x } from '../../requests/state-machine.js';`],
    ];
    for (const [file, code] of violations) {
      expect(await boundaryErrors(file!, code!), code).toEqual([expect.stringContaining('runs in the browser')]);
    }
  });

  it('the handler console may import browser packages and its own files', async () => {
    expect(await boundaryErrors('src/console/src/screens/Inbox.tsx', `import { x } from '../components/format';`)).toEqual([]);
    expect(await boundaryErrors('src/console/src/App.tsx', `import { x } from '@mantine/core';`)).toEqual([]);
    expect(await boundaryErrors('src/console/src/App.tsx', `import { x } from 'urql';`)).toEqual([]);
  });
});
