import { isDomainName, isMailboxAddress, normalizeAddress } from '@mailcluster/common';
import { AdminError } from './errors.ts';

/** What admins type, checked once for every front: each helper returns the clean value or throws AdminError. */

export function parseAddress(input: string): string {
  const address = normalizeAddress(input);
  if (!isMailboxAddress(address)) throw new AdminError('ADMIN_ERR_BAD_ADDRESS', JSON.stringify(input));
  return address;
}

export function parseDomain(input: string): string {
  const domain = input.trim().toLowerCase();
  if (!isDomainName(domain)) throw new AdminError('ADMIN_ERR_BAD_DOMAIN', JSON.stringify(input));
  return domain;
}

const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** A quota: whole bytes, or a number with a binary unit (`500M`, `1.5G`, `2GiB`); 0 is no limit. */
export function parseQuota(input: string | number): number {
  if (typeof input === 'number') {
    if (Number.isSafeInteger(input) && input >= 0) return input;
    throw new AdminError('ADMIN_ERR_BAD_QUOTA', String(input));
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(input);
  const bytes = match ? Math.round(Number(match[1]) * (UNITS[(match[2] ?? '').toLowerCase()] ?? NaN)) : NaN;
  if (!Number.isSafeInteger(bytes)) throw new AdminError('ADMIN_ERR_BAD_QUOTA', JSON.stringify(input));
  return bytes;
}

/** A display name: one line, at most 200 characters (it becomes a From header). */
export function parseDisplayName(input: string): string {
  const name = input.trim();
  if (name.length > 200 || [...name].some((c) => c < ' ' || c === '\u007f')) throw new AdminError('ADMIN_ERR_BAD_REQUEST', 'a display name is one line of at most 200 characters');
  return name;
}

/** An argon2 hash as PHC string (what `@node-rs/argon2` and most tools write). Others cannot be verified here. */
const ARGON2_PHC = /^\$argon2(id|i|d)\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;

export function isArgon2Hash(value: string): boolean {
  return ARGON2_PHC.test(value);
}

/** Admin account names: short, plain, safe in logs and the audit log. */
export function isAdminName(input: string): boolean {
  return /^[a-z0-9][a-z0-9._@-]{0,63}$/.test(input.trim().toLowerCase());
}

export function parseAdminName(input: string): string {
  if (!isAdminName(input)) throw new AdminError('ADMIN_ERR_BAD_ADMIN_NAME', JSON.stringify(input));
  return input.trim().toLowerCase();
}
