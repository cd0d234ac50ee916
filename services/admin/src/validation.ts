/**
 * Syntax checks for what admins type. Deliberately narrower than RFC 5321 allows: hosted mailboxes
 * are created by people, and a dot-atom local part in lower case is what every client handles.
 */
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
