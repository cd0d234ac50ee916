import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { V1Secret } from '@kubernetes/client-node';
import forge from 'node-forge';
import type { BuildContext } from './context.ts';
import { ownedMeta } from './object-meta.ts';
import type { Applied } from './workload.ts';

/** A random secret that is safe inside a URL (db passwords are part of MAILCLUSTER_DB_URLS). */
export function randomSecret(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * A self-signed certificate for smtp-ingest's STARTTLS and for the web tier's submission
 * connection (which trusts it as ca.crt), valid for the MX name and the in-cluster Service names.
 */
export function selfSignedTls(hostNames: readonly string[], now = new Date()): { 'tls.crt': string; 'tls.key': string; 'ca.crt': string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime() + 10 * 365 * 24 * 3600_000);
  const subject = [{ name: 'commonName', value: hostNames[0] ?? 'mailcluster' }, { name: 'organizationName', value: 'mailcluster (self-signed)' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: hostNames.map((value) => ({ type: 2, value })) },
  ]);
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  return { 'tls.crt': certPem, 'tls.key': keyPem, 'ca.crt': certPem };
}

/** A Secret the operator generates once: its name, and how to make its random content. */
export interface GeneratedSecret {
  name: string;
  /** New random content each call (an RSA key for the certificate): call it only to create the Secret. */
  make: () => Applied<V1Secret>;
}

/**
 * Secrets the operator generates once and never changes (created only when absent): db
 * credentials, the submission password of the web tier, and a STARTTLS certificate unless the
 * spec names one. The db credentials outlive the MailCluster when its volumes do. Their content is
 * made on demand: a reconcile that finds them all present makes no key.
 */
export function generatedSecrets(ctx: BuildContext): GeneratedSecret[] {
  const { cluster, names } = ctx;
  const secret = (name: string, component: 'db' | 'smtp-ingest', data: () => Record<string, string>, options: { type?: string; owned?: boolean } = {}): GeneratedSecret => ({
    name,
    make: () => {
      const metadata = ownedMeta(cluster, name, component);
      if (options.owned === false) delete metadata.ownerReferences;
      return { apiVersion: 'v1', kind: 'Secret', metadata, type: options.type ?? 'Opaque', stringData: data() };
    },
  });
  // Kept volumes keep their credentials: a MailCluster created again under the same name opens them.
  const dbCredentials = secret(names.dbCredentials, 'db', () => ({ password: randomSecret(), 'root-password': randomSecret() }), { owned: cluster.spec.db.pvcRetention !== 'Retain' });
  const namespace = cluster.metadata.namespace;
  const secrets = [
    dbCredentials,
    secret(names.submission, 'smtp-ingest', () => ({ password: randomSecret() })),
  ];
  if (cluster.spec.smtp.tlsSecretName === undefined) {
    const hosts = [ctx.smtpHostname, names.smtp, `${names.smtp}.${namespace}`, `${names.smtp}.${namespace}.svc`, `${names.smtp}.${namespace}.svc.cluster.local`];
    secrets.push(secret(names.smtpTls, 'smtp-ingest', () => selfSignedTls([...new Set(hosts)]), { type: 'kubernetes.io/tls' }));
  }
  return secrets;
}
