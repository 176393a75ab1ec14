import { Badge } from '@mantine/core';
import { daysLeft } from './format';

const LOOK: Record<string, { color: string; label: string }> = {
  ON_TIME: { color: 'green', label: 'On time' },
  DUE_SOON: { color: 'orange', label: 'Due soon' },
  OVERDUE: { color: 'red', label: 'Overdue' },
  NOT_STARTED: { color: 'gray', label: 'Not started' },
  CLOSED: { color: 'gray', label: 'Closed' },
  DONE: { color: 'gray', label: 'Done' },
};

/** The standing in words (colour is never the only signal), with the days left. */
export function DeadlineBadge({ standing, dueAt }: { standing: string; dueAt?: string | null }) {
  const look = LOOK[standing] ?? { color: 'gray', label: standing };
  const days = standing === 'CLOSED' || standing === 'DONE' ? null : daysLeft(dueAt);
  const suffix = days === null ? '' : days >= 0 ? ` · ${days} d left` : ` · ${-days} d late`;
  return (
    <Badge color={look.color} data-standing={standing}>
      {look.label}
      {suffix}
    </Badge>
  );
}
