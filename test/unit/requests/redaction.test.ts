import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DataCategory, IdentifierType, Relationship, SourceKind } from '../../../src/domain/vocabulary.js';
import { containsCardNumber, maskCardNumbers, maskCardNumbersDeep, sanitiseRecord } from '../../../src/requests/redaction.js';

describe('card masking', () => {
  it('R15: keeps at most the last four digits of runs and printed card groups', () => {
    expect(maskCardNumbers('4111111111111111')).toBe('************1111');
    expect(maskCardNumbers('card 4111-1111-1111-1111 exp 12/27')).toBe('card ****-****-****-1111 exp 12/27');
    expect(maskCardNumbers('amex 3782 822463 10005')).toBe('amex **** ****** *0005');
    expect(maskCardNumbers('123456789012')).toBe('********9012'); // 12 digits
    expect(maskCardNumbersDeep({ a: [4111111111111111], b: { c: '5500 0000 0000 0004' } })).toEqual({
      a: ['************1111'],
      b: { c: '**** **** **** 0004' },
    });
  });

  it('R15: leaves dates, short numbers and international phone numbers alone', () => {
    for (const text of ['2025-01-15 2025-02-01', 'ref 12345678901', '+442079460958', 'room 1234 5678']) {
      expect(maskCardNumbers(text)).toBe(text);
    }
  });

  it('R15: no 12-19 digit run survives masking (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.stringMatching(/^\d{12,19}$/), fc.string(), (pre, pan, post) => {
        const masked = maskCardNumbers(`${pre} ${pan} ${post}`);
        expect(masked).not.toContain(pan);
        expect(masked).toContain(pan.slice(-4));
        expect(containsCardNumber(masked)).toBe(false);
      }),
    );
  });

  it('R15: a described identifier is not taken for a card, a payment field always is', () => {
    const clean = sanitiseRecord(
      {
        recordId: 'r',
        recordType: 'member',
        relationship: Relationship.SUBJECT,
        identifiers: [],
        dates: {},
        data: { membership: '100200300400', card: '4111111111111111', loose: '4111111111111111' },
      },
      SourceKind.CONCIERGE,
      [
        {
          recordType: 'member',
          field: 'membership',
          categories: [DataCategory.IDENTITY],
          special: false,
          correctable: false,
          identifierType: IdentifierType.MEMBERSHIP_NUMBER,
        },
        {
          recordType: 'member',
          field: 'card',
          categories: [DataCategory.PAYMENT_CARD],
          special: false,
          correctable: false,
          identifierType: IdentifierType.MEMBERSHIP_NUMBER,
        },
      ],
      false,
    );
    expect(clean.data).toEqual({ membership: '100200300400', card: '************1111', loose: '************1111' });
    expect(clean.maskedCardValues).toBe(2);
    expect(clean.fields.loose).toEqual({ categories: [], special: false, described: false });
  });

  it('R16: undescribed CCTV fields are withheld when other people are in the frames', () => {
    const clean = sanitiseRecord(
      {
        recordId: 'v',
        recordType: 'clip',
        relationship: Relationship.VISITOR,
        identifiers: [],
        dates: {},
        data: { frames: 'blob://1' },
        facts: { bystanders: 1 },
      },
      SourceKind.CCTV,
      [],
      true,
    );
    expect(clean.data.frames).toBe('[WITHHELD]');
    expect(clean.notes[0]).toContain('1 other person');
  });
});
