import { hash, verify } from '@node-rs/argon2';

/**
 * Password hashing: argon2id with OWASP's minimum (19 MiB, 2 iterations, 1 lane). The library's
 * default algorithm is argon2id; the parameters are pinned here so that raising them later makes
 * `needsRehash` true for older hashes, and sign-in upgrades them.
 */
export const PASSWORD_HASH_PARAMS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, PASSWORD_HASH_PARAMS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false; // an unreadable hash never matches
  }
}

/** Whether a stored hash was made with other parameters than today's (then sign-in rehashes). */
export function needsRehash(passwordHash: string): boolean {
  const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(passwordHash);
  if (!match) return true;
  const [, m, t, p] = match.map(Number);
  return m !== PASSWORD_HASH_PARAMS.memoryCost || t !== PASSWORD_HASH_PARAMS.timeCost || p !== PASSWORD_HASH_PARAMS.parallelism;
}

/** Why a password is refused, or undefined when it is acceptable (NIST SP 800-63B: length over rules). */
export function passwordProblem(password: string, address: string): string | undefined {
  if ([...password].length < 10) return 'password must have at least 10 characters';
  if (password.length > 256) return 'password must have at most 256 characters';
  const local = address.slice(0, address.lastIndexOf('@')).toLowerCase();
  if (local.length >= 3 && password.toLowerCase().includes(local)) return 'password must not contain the user name';
  return undefined;
}
