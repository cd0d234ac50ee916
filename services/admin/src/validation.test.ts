import { describe, expect, it } from 'vitest';
import { needsRehash, passwordProblem } from './passwords.ts';
import { isDomainName, isMailboxAddress } from './validation.ts';

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

describe('password policy', () => {
  it('asks for length, not composition rules', () => {
    expect(passwordProblem('short', 'a@b.com')).toMatch(/at least 10/);
    expect(passwordProblem('correct horse battery staple', 'a@b.com')).toBeUndefined();
    expect(passwordProblem('john-secret-2026', 'john@b.com')).toMatch(/user name/);
    expect(passwordProblem('x'.repeat(257), 'a@b.com')).toMatch(/at most 256/);
  });

  it('flags hashes made with other parameters for rehashing', () => {
    expect(needsRehash('$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA')).toBe(false);
    expect(needsRehash('$argon2id$v=19$m=4096,t=3,p=1$c2FsdHNhbHQ$aGFzaA')).toBe(true);
    expect(needsRehash('$2b$10$bcrypthash')).toBe(true);
  });
});
