import { describe, expect, it } from 'vitest';
import { isArgon2Hash, parseAddress, parseAdminName, parseDisplayName, parseQuota } from './inputs.ts';

describe('admin inputs', () => {
  it('reads quotas in bytes or with binary units, and refuses the rest', () => {
    for (const good of ['0', '1000', '500M', '1.5G', '2GiB', '10 k', ' 1t ']) expect(Number.isSafeInteger(parseQuota(good)), good).toBe(true);
    expect([parseQuota('500M'), parseQuota('1.5G'), parseQuota('2GiB'), parseQuota(42)]).toEqual([500 * 1024 ** 2, 1.5 * 1024 ** 3, 2 * 1024 ** 3, 42]);
    for (const bad of ['', '-1', '1X', 'lots', '1e9', '99999999999999999999']) expect(() => parseQuota(bad), bad).toThrow(/ADMIN_ERR|quota/);
    expect(() => parseQuota(-5)).toThrow();
  });

  it('normalises addresses and refuses what is not one', () => {
    expect(parseAddress(' Jo.Smith@Example.COM ')).toBe('jo.smith@example.com');
    for (const bad of ['no-at', '@x.com', 'a b@x.com', 'a@localhost', 'x'.repeat(65) + '@x.com']) expect(() => parseAddress(bad), bad).toThrow();
  });

  it('knows argon2 PHC strings from plain passwords', () => {
    expect(isArgon2Hash('$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g')).toBe(true);
    expect(isArgon2Hash('$argon2id$v=19$m=19456')).toBe(false);
    expect(isArgon2Hash('$2b$10$bcrypthashbcrypthash')).toBe(false);
    expect(isArgon2Hash('correct horse battery')).toBe(false);
  });

  it('keeps display names to one short line and admin names plain', () => {
    expect(parseDisplayName('  Jo Smith ')).toBe('Jo Smith');
    expect(() => parseDisplayName('a\nb')).toThrow();
    expect(parseAdminName('Ops.Alice')).toBe('ops.alice');
    expect(() => parseAdminName('alice smith')).toThrow();
  });
});
