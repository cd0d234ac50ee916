import { describe, expect, it } from 'vitest';
import { isDomainName, isMailboxAddress } from './address.ts';

describe('validation', () => {
  it.each(['example.com', 'mail.example.co.uk', 'xn--bcher-kva.example', 'a-b.c0m'])('accepts domain %s', (d) => {
    expect(isDomainName(d)).toBe(true);
  });
  it.each(['', 'localhost', '-a.com', 'a-.com', 'a..com', 'exa mple.com', 'EXAMPLE.COM', '1.2.3.4', `${'a'.repeat(64)}.com`, 'a.com.'])(
    'refuses domain %j',
    (d) => {
      expect(isDomainName(d)).toBe(false);
    },
  );
  it.each(['john@example.com', 'j.o+tag@example.com', "o'hara@example.com"])('accepts address %s', (a) => {
    expect(isMailboxAddress(a)).toBe(true);
  });
  it.each(['@example.com', 'john@', 'john', 'jo..hn@example.com', '.john@example.com', 'jo hn@example.com', '"x"@example.com', `${'a'.repeat(65)}@example.com`, 'john@localhost'])(
    'refuses address %j',
    (a) => {
      expect(isMailboxAddress(a)).toBe(false);
    },
  );
});
