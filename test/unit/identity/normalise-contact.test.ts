import { describe, expect, it } from 'vitest';
import { refusalOf } from './refusal.js';
import { emailSkeleton, localPart, mangledEmail, normaliseEmail, normalisePhone, repairedEmail } from '../../../src/identity/normalise/contact.js';

const reasonOf = (run: () => unknown): string => refusalOf(run).reason;

describe('email addresses', () => {
  it('lowercases, trims and drops a mailto: prefix', () => {
    expect(normaliseEmail(' MAILTO:Ann.Lee+dsr@Example.ORG ')).toBe('ann.lee+dsr@example.org');
    expect(normaliseEmail('mailto:ann@example.org')).toBe('ann@example.org');
  });

  it('R10: takes the address alone as mail headers and lists write it: a display name, angle brackets, quotes or brackets, a trailing comma or semicolon', () => {
    for (const raw of [
      '<ann.lee@example.org>',
      'Ann Lee <Ann.Lee@example.org>',
      '"Lee, Ann" <mailto:ann.lee@example.org>;',
      'ann.lee@example.org,',
      'ann.lee@example.org ; ',
      '(ann.lee@example.org)',
      '[ann.lee@example.org]',
      "'ann.lee@example.org'",
      '"ann.lee@example.org"',
    ]) {
      expect(normaliseEmail(raw)).toBe('ann.lee@example.org');
    }
    // A quoted local part is part of the address, not a wrapper.
    expect(normaliseEmail('"ann.lee"@example.org')).toBe('"ann.lee"@example.org');
    expect(reasonOf(() => normaliseEmail('Ann Lee <>'))).toBe('not an email address');
  });

  it('refuses what is not an address: no domain, a one-letter top level, spaces, double dots', () => {
    for (const raw of ['ann@example', 'ann@example.c', 'ann lee@example.org', 'ann..lee@example.org', 'ann@@example.org', '@example.org', 'ann@.org']) {
      expect(reasonOf(() => normaliseEmail(raw))).toBe('not an email address');
    }
  });

  it('puts back the @ of an address at a large provider, the longest provider name first', () => {
    expect(repairedEmail('jane.doe.gmail.com')).toBe('jane.doe@gmail.com');
    expect(repairedEmail('janedoegmail.com')).toBe('janedoe@gmail.com');
    expect(repairedEmail('jane.doe.googlemail.com')).toBe('jane.doe@googlemail.com');
    expect(repairedEmail('jane.yahoo.co.uk')).toBe('jane@yahoo.co.uk');
    expect(repairedEmail('jane@acme.org')).toBe('jane@acme.org');
    // Nothing before the provider, or a local part that cannot be one: left as it is.
    expect(repairedEmail('gmail.com')).toBe('gmail.com');
    expect(repairedEmail('.gmail.com')).toBe('.gmail.com');
    expect(repairedEmail('jane doe.gmail.com')).toBe('jane doe.gmail.com');
    expect(repairedEmail('jane.doe.acme-corp.net')).toBe('jane.doe.acme-corp.net');
  });

  it('keeps a mangled source address as evidence, not as an address', () => {
    expect(mangledEmail(' Jo.Smith.Acme-Corp.NET ')).toBe('jo.smith.acme-corp.net');
    expect(mangledEmail('jo@acme.net')).toBeNull();
    expect(mangledEmail('ab.de')).toBeNull();
    expect(mangledEmail('abc.de')).toBe('abc.de');
    expect(mangledEmail('abc.d')).toBeNull();
    expect(mangledEmail('jo.smith.acme.net1')).toBeNull();
    expect(mangledEmail('.abc.de')).toBeNull();
    expect(mangledEmail('jo smith.acme.net')).toBeNull();
  });

  it('compares addresses without @ and dots; the local part is what precedes the last @', () => {
    expect(emailSkeleton('jo.smith@x.com')).toBe(emailSkeleton('jo.smithx.com'));
    expect(emailSkeleton('jo.smith@x.com')).toBe('josmithxcom');
    expect(localPart('jo.smith@x.com')).toBe('jo.smith');
    expect(localPart('a@b@x.com')).toBe('a@b');
    expect(localPart('@x.com')).toBe('');
    expect(localPart('jo.smith')).toBe('');
  });
});

describe('phone numbers', () => {
  it('writes E.164; 00 is an international prefix; an extension is not part of the number', () => {
    expect(normalisePhone('+44 20 7946 0958')).toBe('+442079460958');
    expect(normalisePhone('0044 20 7946 0958')).toBe('+442079460958');
    expect(normalisePhone(' 0044 20 7946 0958')).toBe('+442079460958');
    expect(normalisePhone('020 7946 0958', 'GB')).toBe('+442079460958');
    expect(normalisePhone('+44 20 7946 0958 ext. 12')).toBe('+442079460958');
    expect(normalisePhone('+44 20 7946 0958 x12')).toBe('+442079460958');
  });

  it('says why a number is refused', () => {
    expect(reasonOf(() => normalisePhone('call me'))).toBe('not a phone number');
    expect(reasonOf(() => normalisePhone('+44 20 7946 0958 mobile'))).toBe('not a phone number');
    expect(reasonOf(() => normalisePhone('020 7946 0958'))).toBe('needs a country prefix');
    expect(reasonOf(() => normalisePhone('12', 'GB'))).toBe('not a possible phone number');
    expect(reasonOf(() => normalisePhone('+44 12'))).toBe('not a possible phone number');
  });
});
