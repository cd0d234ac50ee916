import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALL_PREFIXES, addressPrefix, isPrefix, mailTableName } from './shard.ts';

describe('addressPrefix (DESIGN §3)', () => {
  it.each([
    ['john@domain.com', 'jo'],
    ['J.x@d', 'j_'],
    ['ö@d', '__'],
    ['a@x', 'a_'],
    ['@x', '__'],
    ['', '__'],
    ['JOHN@EXAMPLE.COM', 'jo'],
    ['9lives@x', '9l'],
    ['"we ird"@x', '_w'],
    ['a`b@x', 'a_'],
    ['x;--@x', 'x_'],
    ['\u212Aelvin@x', '_e'], // Kelvin sign lower-cases to k in Unicode, must not here
    ['🎉party@x', '_p'],
    ['user@sub@x.com', 'us'],
  ])('%j → %s', (address, prefix) => {
    expect(addressPrefix(address)).toBe(prefix);
  });

  it('only ever yields a prefix from the allow-list, for any input', () => {
    const allowed = new Set(ALL_PREFIXES);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (address) => {
        const prefix = addressPrefix(address);
        expect(allowed.has(prefix)).toBe(true);
        expect(mailTableName(prefix)).toMatch(/^EmailDatabase_[a-z0-9_]{2}$/);
      }),
      { numRuns: 5_000 },
    );
  });

  it('depends only on the first two characters of the local part, case-insensitively for ASCII', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9]{2}$/), fc.string(), fc.domain(), (head, rest, domain) => {
        expect(addressPrefix(`${head}${rest.replaceAll('@', '')}@${domain}`)).toBe(head.toLowerCase());
      }),
    );
  });
});

describe('mail tables', () => {
  it('has 1,369 distinct prefixes, each a valid prefix', () => {
    expect(ALL_PREFIXES).toHaveLength(37 * 37);
    expect(new Set(ALL_PREFIXES).size).toBe(1369);
    expect(ALL_PREFIXES.every(isPrefix)).toBe(true);
  });

  it('refuses to name a table for anything that is not a prefix', () => {
    for (const bad of ['JO', 'j', 'jo;', '`x', 'ab ', '', 'EmailDatabase_jo', 'é_']) {
      expect(() => mailTableName(bad)).toThrow(RangeError);
    }
  });
});
