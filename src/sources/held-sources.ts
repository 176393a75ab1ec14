// R1: a source searched before that discovery cannot ask now (disabled, or waiting for its
// changed registration or description to be approved) still holds people's records: a search
// without it is not complete. A registration never approved holds nothing the gateway ever
// searched, and a removed source nothing it may reach: neither is counted. Pure.
import { SourceStatus, type SourceEntity } from './source.entity.js';

/** The code a held source's discovery outcome carries: why it was not searched. */
export const HeldSourceCode = {
  SOURCE_PENDING_APPROVAL: 'SOURCE_PENDING_APPROVAL',
  SOURCE_DISABLED: 'SOURCE_DISABLED',
} as const;
export type HeldSourceCode = (typeof HeldSourceCode)[keyof typeof HeldSourceCode];

/** Why this source is not searched although it holds records discovery once read; null when it is not held. */
export function heldSourceCode(source: Pick<SourceEntity, 'status' | 'declared'>): HeldSourceCode | null {
  if (source.status === SourceStatus.DISABLED) return HeldSourceCode.SOURCE_DISABLED;
  if (source.status === SourceStatus.PENDING_APPROVAL && source.declared?.approvedBefore === true) return HeldSourceCode.SOURCE_PENDING_APPROVAL;
  return null;
}
