/**
 * Shard naming (DESIGN §3). A recipient's mail lives in the table named after the first two
 * characters of its local part: `john@domain.com` → `EmailDatabase_jo`. Table names are only ever
 * built here, and only from a prefix, whose alphabet is `[a-z0-9_]`.
 */

/** The 37 characters a prefix is made of; anything else in a local part becomes `_`. */
export const PREFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789_';

/** Every possible prefix, in a fixed order (37² = 1,369). */
export const ALL_PREFIXES: readonly string[] = Object.freeze(
  [...PREFIX_ALPHABET].flatMap((a) => [...PREFIX_ALPHABET].map((b) => a + b)),
);

const PREFIX_PATTERN = /^[a-z0-9_]{2}$/;

function prefixChar(char: string | undefined): string {
  if (char === undefined) return '_';
  const lower = char >= 'A' && char <= 'Z' ? char.toLowerCase() : char;
  return (lower >= 'a' && lower <= 'z') || (lower >= '0' && lower <= '9') ? lower : '_';
}

/**
 * The shard prefix of an address. Only the local part counts (up to the last `@`); only ASCII
 * letters are lower-cased, so `ö` or `K` (Kelvin sign) become `_` rather than a folded letter.
 */
export function addressPrefix(address: string): string {
  const at = address.lastIndexOf('@');
  const local = at === -1 ? address : address.slice(0, at);
  // Iterate code points, not UTF-16 units, so one astral character yields one `_`.
  const [first, second] = [...local];
  return prefixChar(first) + prefixChar(second);
}

export function isPrefix(value: string): boolean {
  return PREFIX_PATTERN.test(value);
}

const TABLE_NAMES: ReadonlyMap<string, string> = new Map(
  ALL_PREFIXES.map((prefix) => [prefix, `EmailDatabase_${prefix}`]),
);

/** The mail table of a prefix, taken from a fixed allow-list (never concatenated from input). */
export function mailTableName(prefix: string): string {
  const table = TABLE_NAMES.get(prefix);
  if (table === undefined) throw new RangeError(`not a shard prefix: ${JSON.stringify(prefix)}`);
  return table;
}
