import type { V1Container, V1StatefulSet } from '@kubernetes/client-node';
import { parseConfig, rendezvousShardMap } from '@mailcluster/common';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { deliveryConfigSchema } from '../../../services/delivery/src/config.ts';
import { ingestConfigSchema } from '../../../services/smtp-ingest/src/config.ts';
import { webConfigSchema } from '../../../services/web/src/config.ts';
import { writerConfigSchema } from '../../../services/writer/src/config.ts';
import { mailClusterSpecSchema } from '../api/v1alpha1/mailcluster.ts';
import { DEFAULT_IMAGES } from '../images.ts';
import { sizeCluster } from '../sizing/sizing.ts';
import { desiredObjects } from './desired-state.ts';
import { objectNames } from './names.ts';

/** The environment a container sees: secrets filled with placeholders, $(VAR) references expanded as the kubelet does. */
function containerEnv(container: V1Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    const raw = variable.value ?? (variable.valueFrom ? 'secret-value-from-kubernetes' : '');
    env[variable.name] = raw.replace(/\$\(([A-Z0-9_]+)\)/g, (whole, name: string) => env[name] ?? whole);
  }
  return env;
}

describe('the operator configures every service so it starts', () => {
  const spec = mailClusterSpecSchema.parse({ users: 2_500_000, domains: ['example.com'], web: { ingress: { host: 'mail.example.com', tlsSecretName: 'tls' } } });
  const cluster = { apiVersion: 'mailcluster.dev/v1alpha1' as const, kind: 'MailCluster' as const, metadata: { name: 'mc', namespace: 'mail', uid: 'u' }, spec };
  const size = sizeCluster(spec);
  const objects = desiredObjects(
    { cluster, names: objectNames(cluster), size, dbReplicas: 3, images: DEFAULT_IMAGES, natsUrl: 'nats://mc-nats.mail.svc:4222', smtpHostname: 'mc-smtp.mail.svc' },
    rendezvousShardMap(3),
  );
  const container = (kind: string, name: string) =>
    ((objects.find((o) => o.kind === kind && o.metadata?.name === name) as V1StatefulSet).spec?.template.spec?.containers[0]) as V1Container;

  it.each([
    ['smtp-ingest', () => container('StatefulSet', 'mc-smtp'), ingestConfigSchema],
    ['writer', () => container('Deployment', 'mc-writer'), writerConfigSchema],
    ['delivery', () => container('Deployment', 'mc-delivery'), deliveryConfigSchema],
    ['web', () => container('StatefulSet', 'mc-web'), webConfigSchema],
  ] as const)('%s: every MAILCLUSTER_ variable is one it reads, and together they parse', (_name, get, schema: z.ZodObject) => {
    const env = containerEnv(get());
    const known = new Set(Object.keys(schema.shape).map((key) => `MAILCLUSTER_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`));
    expect(Object.keys(env).filter((name) => name.startsWith('MAILCLUSTER_') && !known.has(name))).toEqual([]);
    const config = parseConfig(schema, env) as { dbUrls: string[] };
    expect(config.dbUrls).toEqual([0, 1, 2].map((i) => `mysql://mailcluster:secret-value-from-kubernetes@mc-db-${i}.mc-db-hl.mail.svc:3306/mailcluster`));
  });

  it.each([
    ['smtp-ingest', 'StatefulSet', 'mc-smtp', ingestConfigSchema],
    ['writer', 'Deployment', 'mc-writer', writerConfigSchema],
  ] as const)('%s finishes draining (sessions, the batch in flight) before its pod\'s grace period ends', (_name, kind, name, schema: z.ZodObject) => {
    const pod = (objects.find((o) => o.kind === kind && o.metadata?.name === name) as V1StatefulSet).spec?.template.spec;
    const { drainTimeoutMs } = parseConfig(schema, containerEnv(container(kind, name))) as { drainTimeoutMs: number };
    // What is left after the drain: closing connections and flushing logs before SIGKILL.
    expect((pod?.terminationGracePeriodSeconds ?? 30) * 1000 - drainTimeoutMs).toBeGreaterThanOrEqual(5_000);
  });
});

