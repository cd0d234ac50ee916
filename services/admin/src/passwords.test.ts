import { describe, expect, it } from 'vitest';
import { needsRehash, passwordProblem } from './passwords.ts';

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
