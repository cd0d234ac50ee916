import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { KubernetesObject, V1Container, V1Deployment, V1PodSpec, V1StatefulSet, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { rendezvousShardMap } from '@mailcluster/common';
import { describe, expect, it } from 'vitest';
import { type MailCluster, mailClusterSpecSchema } from '../api/v1alpha1/mailcluster.ts';
import { DEFAULT_IMAGES } from '../images.ts';
import { sizeCluster } from '../sizing/sizing.ts';
import type { BuildContext } from './context.ts';
import { desiredObjects } from './desired-state.ts';
import { objectNames } from './names.ts';
import { generatedSecrets } from './secrets.ts';

function context(spec: Record<string, unknown>, dbReplicas?: number): BuildContext {
  const cluster: MailCluster = {
    apiVersion: 'mailcluster.dev/v1alpha1',
    kind: 'MailCluster',
    metadata: { name: 'mc', namespace: 'mail', uid: '1234-uid', generation: 1 },
    spec: mailClusterSpecSchema.parse(spec),
  };
  const size = sizeCluster(cluster.spec);
  return { cluster, names: objectNames(cluster), size, dbReplicas: dbReplicas ?? size.db.replicas, images: DEFAULT_IMAGES, natsUrl: 'nats://mc-nats.mail.svc:4222', smtpHostname: 'mx.example.com' };
}

const find = <T>(objects: KubernetesObject[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata?.name === name) as T;

/** The Pod Security "restricted" rules that a pod template can break (kubernetes.io/docs/concepts/security/pod-security-standards). */
function restrictedViolations(pod: V1PodSpec): string[] {
  const problems: string[] = [];
  const containers: V1Container[] = [...pod.containers, ...(pod.initContainers ?? [])];
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) problems.push('host namespaces');
  if (pod.volumes?.some((v) => v.hostPath)) problems.push('hostPath volume');
  const podNonRoot = pod.securityContext?.runAsNonRoot === true;
  const podSeccomp = pod.securityContext?.seccompProfile?.type;
  for (const c of containers) {
    const sc = c.securityContext ?? {};
    if (sc.privileged) problems.push(`${c.name}: privileged`);
    if (sc.allowPrivilegeEscalation !== false) problems.push(`${c.name}: allowPrivilegeEscalation`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) problems.push(`${c.name}: capabilities not dropped`);
    if ((sc.capabilities?.add ?? []).some((cap) => cap !== 'NET_BIND_SERVICE')) problems.push(`${c.name}: capabilities added`);
    if (!(sc.runAsNonRoot ?? podNonRoot)) problems.push(`${c.name}: may run as root`);
    if ((sc.runAsUser ?? pod.securityContext?.runAsUser) === 0) problems.push(`${c.name}: runs as uid 0`);
    if (!['RuntimeDefault', 'Localhost'].includes(sc.seccompProfile?.type ?? podSeccomp ?? '')) problems.push(`${c.name}: seccomp`);
    if (c.ports?.some((p) => p.hostPort)) problems.push(`${c.name}: hostPort`);
  }
  return problems;
}

describe('desired objects for a MailCluster', () => {
  it('sizes every tier for 1M users', () => {
    const objects = desiredObjects(context({ users: 1_000_000 }), rendezvousShardMap(1));
    expect(find<V1StatefulSet>(objects, 'StatefulSet', 'mc-web').spec?.replicas).toBe(4);
    expect(find<V1StatefulSet>(objects, 'StatefulSet', 'mc-db').spec?.replicas).toBe(1);
    expect(find<V1StatefulSet>(objects, 'StatefulSet', 'mc-nats').spec?.replicas).toBe(3);
    expect(find<V1Deployment>(objects, 'Deployment', 'mc-writer').spec?.replicas).toBe(1);
    expect(find<V1Deployment>(objects, 'Deployment', 'mc-delivery').spec?.replicas).toBe(2);
    // smtp-ingest: the autoscaler owns the count, between the seed's 2 and 4 per million.
    expect(find<V1StatefulSet>(objects, 'StatefulSet', 'mc-smtp').spec?.replicas).toBeUndefined();
    const hpa = find<V2HorizontalPodAutoscaler>(objects, 'HorizontalPodAutoscaler', 'mc-smtp');
    expect([hpa.spec?.minReplicas, hpa.spec?.maxReplicas]).toEqual([2, 4]);
  });

  it('makes one Ingress only when a host is given, with TLS when a secret is named', () => {
    expect(desiredObjects(context({ users: 1000 }), rendezvousShardMap(1)).some((o) => o.kind === 'Ingress')).toBe(false);
    const ingress = find<{ spec: { tls: unknown[]; rules: { host: string }[]; ingressClassName: string } }>(
      desiredObjects(context({ users: 1000, web: { ingress: { host: 'mail.example.com', className: 'nginx', tlsSecretName: 'mail-tls' } } }), rendezvousShardMap(1)),
      'Ingress',
      'mc-web',
    );
    expect(ingress.spec.rules[0]?.host).toBe('mail.example.com');
    expect(ingress.spec.ingressClassName).toBe('nginx');
    expect(ingress.spec.tls).toEqual([{ hosts: ['mail.example.com'], secretName: 'mail-tls' }]);
  });

  it('exposes SMTP on 25 and 587 through a LoadBalancer that keeps the client IP', () => {
    const svc = find<{ spec: { type: string; externalTrafficPolicy: string; ports: { port: number; targetPort: string }[] } }>(
      desiredObjects(context({ users: 1000 }), rendezvousShardMap(1)),
      'Service',
      'mc-smtp',
    );
    expect(svc.spec.type).toBe('LoadBalancer');
    expect(svc.spec.externalTrafficPolicy).toBe('Local');
    expect(svc.spec.ports.map((p) => [p.port, p.targetPort])).toEqual([[25, 'smtp'], [587, 'submission']]);
  });

  it('gives every service the URLs of exactly the dbs that run, in ordinal order', () => {
    const objects = desiredObjects(context({ users: 2_500_000 }, 3), rendezvousShardMap(3));
    const env = find<V1StatefulSet>(objects, 'StatefulSet', 'mc-smtp').spec?.template.spec?.containers[0]?.env ?? [];
    const urls = env.find((e) => e.name === 'MAILCLUSTER_DB_URLS')?.value?.split(',');
    expect(urls).toEqual([0, 1, 2].map((i) => `mysql://mailcluster:$(DB_PASSWORD)@mc-db-${i}.mc-db-hl.mail.svc:3306/mailcluster`));
    expect(env.findIndex((e) => e.name === 'DB_PASSWORD')).toBeLessThan(env.findIndex((e) => e.name === 'MAILCLUSTER_DB_URLS'));
  });

  it('passes Pod Security "restricted" in every pod template, and owns every object', () => {
    const objects = desiredObjects(context({ users: 2_500_000 }), rendezvousShardMap(3));
    for (const object of objects) {
      expect(object.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'MailCluster', name: 'mc', uid: '1234-uid', controller: true });
      const template = (object as V1StatefulSet).spec?.template;
      if (template?.spec) expect(restrictedViolations(template.spec), `${object.kind}/${object.metadata?.name}`).toEqual([]);
    }
  });

  it('spreads each tier over nodes and zones by default, and takes placement from the spec', () => {
    const defaults = find<V1StatefulSet>(desiredObjects(context({ users: 1000 }), rendezvousShardMap(1)), 'StatefulSet', 'mc-web').spec?.template.spec;
    expect(defaults?.topologySpreadConstraints?.map((c) => c.topologyKey)).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
    const placed = find<V1StatefulSet>(
      desiredObjects(context({ users: 1000, db: { placement: { nodeSelector: { tier: 'db' }, tolerations: [{ key: 'db', operator: 'Exists' }] } } }), rendezvousShardMap(1)),
      'StatefulSet',
      'mc-db',
    ).spec?.template.spec;
    expect(placed?.nodeSelector).toEqual({ tier: 'db' });
    expect(placed?.tolerations).toEqual([{ key: 'db', operator: 'Exists' }]);
    expect(placed?.affinity?.podAntiAffinity).toBeDefined();
  });

  it('runs delivery workers with the smarthost from the spec, and none with outbound off', () => {
    const withRelay = desiredObjects(context({ users: 1000, outbound: { relayHost: 'smtp.relay.example:587' } }), rendezvousShardMap(1));
    const env = find<V1Deployment>(withRelay, 'Deployment', 'mc-delivery').spec?.template.spec?.containers[0]?.env ?? [];
    expect(env.find((e) => e.name === 'MAILCLUSTER_RELAY_HOST')?.value).toBe('smtp.relay.example:587');
    const off = desiredObjects(context({ users: 1000, outbound: { enabled: false } }), rendezvousShardMap(1));
    expect(off.some((o) => o.metadata?.name === 'mc-delivery')).toBe(false);
    const smtpEnv = find<V1StatefulSet>(off, 'StatefulSet', 'mc-smtp').spec?.template.spec?.containers[0]?.env ?? [];
    expect(smtpEnv.find((e) => e.name === 'MAILCLUSTER_OUTBOUND_ENABLED')?.value).toBe('false');
  });

  it('leaves out NATS with an external URL and points the services at it', () => {
    const ctx = { ...context({ users: 1000, nats: { externalUrl: 'nats://nats.example:4222' } }), natsUrl: 'nats://nats.example:4222' };
    const objects = desiredObjects(ctx, rendezvousShardMap(1));
    expect(objects.some((o) => o.metadata?.name?.startsWith('mc-nats'))).toBe(false);
  });
});

describe('generated secrets', () => {
  it('makes db credentials, the submission password and a certificate for the MX and Service names', () => {
    const secrets = generatedSecrets(context({ users: 1000 })).map((s) => s.make());
    expect(secrets.map((s) => s.metadata?.name)).toEqual(['mc-db-credentials', 'mc-submission', 'mc-smtp-tls']);
    const tls = secrets[2]?.stringData ?? {};
    const cert = new X509Certificate(tls['tls.crt'] ?? '');
    expect(cert.subjectAltName).toBe('DNS:mx.example.com, DNS:mc-smtp, DNS:mc-smtp.mail, DNS:mc-smtp.mail.svc, DNS:mc-smtp.mail.svc.cluster.local');
    expect(cert.checkPrivateKey(createPrivateKey(tls['tls.key'] ?? ''))).toBe(true);
    expect(secrets[0]?.stringData?.password).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('keeps the db credentials without an owner while their volumes are retained', () => {
    const owners = (pvcRetention: 'Retain' | 'Delete') => generatedSecrets(context({ users: 1000, db: { pvcRetention } }))[0]?.make().metadata?.ownerReferences;
    expect(owners('Retain')).toBeUndefined();
    expect(owners('Delete')).toHaveLength(1);
  });

  it('uses the named certificate instead of making one', () => {
    expect(generatedSecrets(context({ users: 1000, smtp: { tlsSecretName: 'mx-cert' } })).map((s) => s.name)).toEqual(['mc-db-credentials', 'mc-submission']);
  });
});
