import { Code, Text } from '@mantine/core';
import { auditActionLabel } from './audit-labels';

/** An audit entry's action in words, with the name it is recorded (and filtered) under beneath. */
export function AuditActionName({ action }: { action: string }) {
  const label = auditActionLabel(action);
  return (
    <>
      <Text span size="sm" display="block">
        {label}
      </Text>
      {label !== action && (
        <Code c="dimmed" fz="xs">
          {action}
        </Code>
      )}
    </>
  );
}
