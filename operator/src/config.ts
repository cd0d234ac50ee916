import { hostname } from 'node:os';
import { boolean, csv, hostPort, logLevel, positiveInt } from '@mailcluster/common';
import { z } from 'zod';

/** Operator configuration: `MAILCLUSTER_<FIELD>` environment variables; `--kubeconfig` also works. */
export const operatorConfigSchema = z.object({
  logLevel: logLevel.default('info'),
  /** Where /metrics, /healthz and /readyz are served. */
  opsListen: hostPort.default({ host: '0.0.0.0', port: 9090 }),
  /** A kubeconfig file; without one the in-cluster service account is used. */
  kubeconfig: z.string().optional(),
  /** Namespaces whose MailClusters this operator manages; empty: all. */
  watchNamespaces: csv.default([]),
  leaderElection: boolean.default(true),
  /** Where the leader Lease lives (the operator's own namespace in a cluster). */
  leaseNamespace: z.string().min(1).default('default'),
  leaseName: z.string().min(1).default('mailcluster-operator'),
  /** This replica's name in the Lease (the pod name in a cluster). */
  identity: z.string().min(1).default(`${hostname()}-${process.pid}`),
  /** A full relist of every watched kind this often, whatever happened. */
  relistIntervalMs: positiveInt.default(10 * 60_000),
  /** MailClusters reconciled at the same time. */
  concurrency: positiveInt.default(2),
  /** Default images (the Helm chart passes its values here; spec.images overrides per cluster). */
  imageWeb: z.string().optional(),
  imageSmtpIngest: z.string().optional(),
  imageWriter: z.string().optional(),
  imageDelivery: z.string().optional(),
  imageDb: z.string().optional(),
  imageNats: z.string().optional(),
});

export type OperatorConfig = z.infer<typeof operatorConfigSchema>;
