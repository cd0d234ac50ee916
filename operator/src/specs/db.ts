import type { KubernetesObject, V1ConfigMap } from '@kubernetes/client-node';
import { parseQuantity } from '../sizing/quantity.ts';
import { type BuildContext, PORTS } from './context.ts';
import { ownedMeta } from './object-meta.ts';
import { CONTAINER_SECURITY, UIDS } from './pod-security.ts';
import { type Applied, disruptionBudget, headlessService, statefulSet } from './workload.ts';

/**
 * MariaDB settings: the local stack's (hack/lib/stack-mariadb.sh, whose comments and
 * docs/local-stack.md say why each), so what the tests prove holds here; db.test.ts fails when
 * the two drift apart. Only the buffer pool differs: 60 % of the container's memory limit.
 */
export function dbConfigFile(memoryLimit: string): string {
  const poolMiB = Math.max(128, Math.floor((parseQuantity(memoryLimit) * 0.6) / 2 ** 20));
  return [
    '[mariadbd]',
    'skip-name-resolve',
    'max_connections = 500',
    'innodb_flush_log_at_trx_commit = 1',
    'innodb_doublewrite = 1',
    'innodb_file_per_table = 1',
    `innodb_buffer_pool_size = ${poolMiB}M`,
    'innodb_log_file_size = 1G',
    'max_allowed_packet = 256M',
    'table_definition_cache = 4096',
    'table_open_cache = 4096',
    'innodb_open_files = 4096',
    'open_files_limit = 16384',
    'character-set-server = utf8mb4',
    'collation-server = utf8mb4_unicode_520_ci',
    "default-time-zone = '+00:00'",
    '',
  ].join('\n');
}

/**
 * The db tier: one MariaDB server per ordinal, each a shard with its own volume (DESIGN §2, §3).
 * Volumes outlive the MailCluster unless spec.db.pvcRetention is Delete; scaling down never
 * deletes a volume.
 */
export function dbObjects(ctx: BuildContext): KubernetesObject[] {
  const { cluster, names, size } = ctx;
  const { db } = cluster.spec;
  const config: Applied<V1ConfigMap> = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: ownedMeta(cluster, names.dbConfig, 'db'),
    data: { 'mailcluster.cnf': dbConfigFile(size.db.resources.limits.memory ?? size.db.resources.requests.memory ?? '1Gi') },
  };
  const healthcheck = (...args: string[]) => ({ exec: { command: ['healthcheck.sh', ...args] } });
  return [
    config,
    statefulSet(ctx, {
      name: names.db,
      headless: names.dbHeadless,
      component: 'db',
      replicas: ctx.dbReplicas,
      uid: UIDS.mariadb,
      placement: db.placement,
      separateNodes: true,
      terminationGracePeriodSeconds: 120,
      persistentVolumeClaimRetentionPolicy: { whenDeleted: db.pvcRetention, whenScaled: 'Retain' },
      containers: [
        {
          name: 'mariadb',
          image: ctx.images.db,
          env: [
            { name: 'MARIADB_ROOT_PASSWORD', valueFrom: { secretKeyRef: { name: names.dbCredentials, key: 'root-password' } } },
            { name: 'MARIADB_DATABASE', value: 'mailcluster' },
            { name: 'MARIADB_USER', value: 'mailcluster' },
            { name: 'MARIADB_PASSWORD', valueFrom: { secretKeyRef: { name: names.dbCredentials, key: 'password' } } },
            // Creates the local user healthcheck.sh connects as.
            { name: 'MARIADB_MYSQL_LOCALHOST_USER', value: '1' },
          ],
          ports: [{ name: 'mysql', containerPort: PORTS.db }],
          resources: size.db.resources,
          readinessProbe: { ...healthcheck('--connect', '--innodb_initialized'), periodSeconds: 5, timeoutSeconds: 5 },
          livenessProbe: { ...healthcheck('--connect'), periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6 },
          startupProbe: { ...healthcheck('--connect'), periodSeconds: 5, failureThreshold: 120 },
          securityContext: CONTAINER_SECURITY,
          volumeMounts: [
            { name: 'data', mountPath: '/var/lib/mysql' },
            { name: 'config', mountPath: '/etc/mysql/conf.d', readOnly: true },
            { name: 'run', mountPath: '/run/mysqld' },
            { name: 'tmp', mountPath: '/tmp' },
          ],
        },
      ],
      volumes: [
        { name: 'config', configMap: { name: names.dbConfig } },
        { name: 'run', emptyDir: {} },
        { name: 'tmp', emptyDir: {} },
      ],
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: {
            accessModes: ['ReadWriteOnce'],
            ...(db.storageClassName ? { storageClassName: db.storageClassName } : {}),
            resources: { requests: { storage: size.db.volume } },
          },
        },
      ],
    }),
    headlessService(ctx, names.dbHeadless, 'db', [{ name: 'mysql', port: PORTS.db }]),
    disruptionBudget(ctx, names.db, 'db'),
  ];
}
