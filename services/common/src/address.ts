/**
 * Mail addresses and domain names: normalising, and the syntax checks for what admins and
 * manifests name. Deliberately narrower than RFC 5321 allows: hosted mailboxes are made by people,
 * and a lower-case dot-atom is what every client handles.
 */

/** Lower-cases an address for storage and lookup: mailboxes here are case-insensitive. */
export function normalizeAddress(address: string): string {
  return address.trim().toLowerCase();
}

/** The domain of an address (lower-cased), or '' when it has none. */
export function addressDomain(address: string): string {
  const at = address.lastIndexOf('@');
  return at === -1 ? '' : address.slice(at + 1).toLowerCase();
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

export function isDomainName(name: string): boolean {
  if (name.length > 253 || !name.includes('.')) return false;
  const labels = name.split('.');
  return labels.every((label) => LABEL.test(label)) && !/^\d+$/.test(labels.at(-1) ?? '');
}

const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

export function isMailboxAddress(address: string): boolean {
  const at = address.lastIndexOf('@');
  if (at < 1 || address.length > 320) return false;
  const local = address.slice(0, at);
  return local.length <= 64 && LOCAL_PART.test(local) && isDomainName(address.slice(at + 1));
}
