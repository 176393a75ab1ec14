import { Code, Text } from '@mantine/core';
import { humanise } from './format';
import { requestEventLabel } from './audit-labels';

/** A status change in words (the statuses it moved between beside it), with the event it is recorded under beneath. */
export function RequestEventName({ event, from, to }: { event: string; from: string | null; to: string | null }) {
  const label = requestEventLabel(event);
  return (
    <>
      <Text span size="sm" display="block">
        {label} ({from ? humanise(from) : '—'} → {to ? humanise(to) : '—'})
      </Text>
      {label !== event && (
        <Code c="dimmed" fz="xs">
          {event}
        </Code>
      )}
    </>
  );
}
