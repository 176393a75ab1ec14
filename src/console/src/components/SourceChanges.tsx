import { List, Text } from '@mantine/core';

export interface SourceChange {
  aspect: string;
  change: string;
  before?: string | null;
  after?: string | null;
}

/** What each aspect of a source is called on the approval view. */
const ASPECTS: Record<string, string> = {
  identifierTypes: 'Searched by',
  capabilities: 'Can',
  fields: 'Field',
  kind: 'Kind',
  retention: 'Retention',
  controller: 'Controller role',
  rules: 'Rules',
  processing: 'Processing',
  name: 'Name',
  controllerIds: 'Controller',
  phoneCountry: 'Phone country',
  connection: 'Connection settings',
};

function sentence({ aspect, change, before, after }: SourceChange): string {
  if (aspect === 'connection') return 'changed (not shown)';
  if (change === 'ADDED') return `added ${after ?? ''}`;
  if (change === 'REMOVED') return `removed ${before ?? ''}`;
  return `${before ?? '—'} → ${after ?? '—'}`;
}

/**
 * The approval view's difference: what approving the source changes against what it is held
 * to now (for a source never approved, everything it declares).
 */
export function SourceChanges({ changes, neverApproved }: { changes: readonly SourceChange[]; neverApproved: boolean }) {
  if (changes.length === 0) return null;
  return (
    <div data-testid="source-changes">
      <Text size="sm" fw={600}>
        {neverApproved ? 'Never approved: approving lets in' : 'Changed since approval: approving changes'}
      </Text>
      <List size="sm">
        {changes.map((c, i) => (
          <List.Item key={i}>
            {ASPECTS[c.aspect] ?? c.aspect}: {sentence(c)}
          </List.Item>
        ))}
      </List>
    </div>
  );
}
