import { describe, expect, it } from 'vitest';
import { RequestType } from '../../../src/domain/vocabulary.js';
import { extensionNoticeLetter } from '../../../src/requests/extension-notice.js';

describe('the extension notice to the person (R5)', () => {
  it('gives the first and the new date as days in the jurisdiction, and the reason', () => {
    const letter = extensionNoticeLetter({
      requestId: 'req-4',
      requestType: RequestType.ACCESS,
      receivedAt: new Date('2025-01-03T03:30:00Z'), // 2 January, 22:30 in New York
      dueAt: new Date('2025-02-02T04:59:59.999Z'),
      extendedDueAt: new Date('2025-04-02T03:59:59.999Z'),
      reason: 'several systems and a controller to consult',
      timeZone: 'America/New_York',
    });
    expect(letter).toContain('Reference: req-4');
    expect(letter).toContain('On 2025-01-02 you asked us for a copy of your personal data.');
    expect(letter).toContain('We owed you an answer by 2025-02-01. We need more time: we will answer by 2025-04-01 at the latest.');
    expect(letter).toContain('The reason: several systems and a controller to consult.');
    expect(letter).toMatch(/^Dear requester,/);
  });
});
