import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { type DkimKey, type MailStore, addDkimKeyIfAbsent, findDkimKey } from '@mailcluster/store';

/** The selector new keys get: `mc1._domainkey.<domain>`. A new selector is how a key is rotated. */
export const DKIM_SELECTOR = 'mc1';

/** The domain's DKIM key, made (RSA 2048) and stored on first use. */
export async function ensureDkimKey(store: MailStore, domain: string): Promise<DkimKey> {
  const existing = await findDkimKey(store.directory, domain);
  if (existing !== null) return existing;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return addDkimKeyIfAbsent(store.directory, {
    domain,
    selector: DKIM_SELECTOR,
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  });
}

/** The DNS TXT record that publishes a key: name and value, as a zone file line too. */
export interface DkimDnsRecord {
  name: string;
  value: string;
  zoneLine: string;
}

export function dkimDnsRecord(key: DkimKey): DkimDnsRecord {
  const publicKey = createPublicKey(key.privateKey).export({ type: 'spki', format: 'der' }).toString('base64');
  const value = `v=DKIM1; k=rsa; p=${publicKey}`;
  const name = `${key.selector}._domainkey.${key.domain}`;
  // TXT strings are at most 255 characters each; resolvers join them.
  const chunks = value.match(/.{1,255}/g) ?? [];
  return { name, value, zoneLine: `${name}. IN TXT ( ${chunks.map((c) => `"${c}"`).join(' ')} )` };
}
