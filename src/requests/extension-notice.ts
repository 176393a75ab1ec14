// R5: the notice telling the person their answer was extended: the new date, the reason, as
// calendar days in the request's jurisdiction (where the deadlines are counted). Pure: the
// handler sends it (post, e-mail) and records that it went (recordExtensionNoticeSent).
import type { RequestType } from '../domain/vocabulary.js';
import { civilDateIn } from './calendar.js';
import { requireValidDate } from './errors.js';
import { TYPE_TEXT } from './response-summary.js';

export interface ExtensionNoticeInput {
  requestId: string;
  requestType: RequestType;
  receivedAt: Date;
  /** The first due date (R4). */
  dueAt: Date;
  extendedDueAt: Date;
  reason: string;
  /** The time zone of the request's jurisdiction. */
  timeZone: string;
  /** Who signs: the privacy office. */
  signature?: string;
}

/** The letter; it names the request by its reference only, no other personal data. */
export function extensionNoticeLetter(input: ExtensionNoticeInput): string {
  requireValidDate(input.receivedAt, 'The receipt date');
  requireValidDate(input.dueAt, 'The due date');
  requireValidDate(input.extendedDueAt, 'The extended due date');
  const day = (d: Date) => civilDateIn(d, input.timeZone);
  return (
    [
      'Dear requester,',
      '',
      `Reference: ${input.requestId}`,
      '',
      `On ${day(input.receivedAt)} you asked us for ${TYPE_TEXT[input.requestType]}.`,
      `We owed you an answer by ${day(input.dueAt)}. We need more time: we will answer by ${day(input.extendedDueAt)} at the latest.`,
      `The reason: ${input.reason.trim().replace(/\.?$/, '.')}`,
      '',
      'If you are not satisfied with this, you may contact our data protection officer or complain to your data protection supervisory authority.',
      '',
      'Yours sincerely,',
      input.signature?.trim() || 'The Privacy Office',
    ].join('\n') + '\n'
  );
}
