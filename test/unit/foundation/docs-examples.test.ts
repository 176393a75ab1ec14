import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Kind, parse, validate } from 'graphql';
import { projectRoot } from '../../../src/version.js';
import { buildGatewaySchema } from '../../../schema/build-schema.js';

// The operations the docs show a handler are checked against the schema the code builds,
// so a renamed field or argument breaks this test, not the reader's first try.
const docs = ['README.md', ...readdirSync(join(projectRoot, 'docs')).map((f) => join('docs', f))].filter((f) => f.endsWith('.md'));

function graphqlBlocks(file: string): string[] {
  const text = readFileSync(join(projectRoot, file), 'utf8');
  return [...text.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

describe('GraphQL examples in the docs', () => {
  const examples = docs.flatMap((file) => graphqlBlocks(file).map((source, i) => ({ file, i, source })));

  it('there are examples to check', () => {
    expect(examples.length).toBeGreaterThan(10);
  });

  it.each(examples.map((e) => [`${e.file} #${e.i + 1}`, e] as const))('%s is valid against the schema', async (_name, example) => {
    const document = parse(example.source);
    // SDL excerpts (type definitions) are documentation of the schema, not operations.
    if (!document.definitions.every((d) => d.kind === Kind.OPERATION_DEFINITION || d.kind === Kind.FRAGMENT_DEFINITION)) return;
    const errors = validate(await buildGatewaySchema(), document).map((e) => e.message);
    expect(errors).toEqual([]);
  });
});
