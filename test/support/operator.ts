import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, RbacAuthorizationV1Api, type V1Pod, setHeaderOptions } from '@kubernetes/client-node';
import type { MailClusterStatus } from '../../operator/src/api/v1alpha1/mailcluster.ts';
import { type Namespace, freshNamespace, kubeConfig, kubectl, serviceAccountToken, testenv, waitFor } from './k8s.ts';
import { KubeFaultProxy } from './kube-proxy.ts';
import { type NodeProcess, startNodeProcess } from './node-process.ts';
import { repo } from './shell-env.ts';

export type { MailClusterStatus };

const GROUP = 'mailcluster.dev';
const VERSION = 'v1alpha1';
const PLURAL = 'mailclusters';

export interface MailClusterObject {
  metadata: { name: string; namespace: string; generation: number; uid: string };
  spec: Record<string, unknown>;
  status?: MailClusterStatus;
}

/** Installs (or updates) the CRD from crds/, as a user would: server-side apply. */
export async function installCrd(): Promise<void> {
  await kubectl(['apply', '--server-side', '--force-conflicts', '-f', join(repo, 'crds')]);
  await kubectl(['wait', '--for=condition=Established', 'crd/mailclusters.mailcluster.dev', '--timeout=60s']);
}

/**
 * An operator identity for one test namespace: a ServiceAccount with every right in that namespace
 * only, and a kubeconfig that reaches the API server through a fault proxy with its token.
 */
export async function operatorAccess(namespace: string): Promise<{ proxy: KubeFaultProxy; kubeconfig: string }> {
  const admin = kubeConfig();
  const core = admin.makeApiClient(CoreV1Api);
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'mailcluster-operator' } } });
  await admin.makeApiClient(RbacAuthorizationV1Api).createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name: 'mailcluster-operator' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', name: 'mailcluster-operator', namespace }],
    },
  });
  return serviceAccountAccess(namespace, 'mailcluster-operator');
}

/**
 * A kubeconfig for an existing ServiceAccount (e.g. the Helm chart's, with exactly the chart's
 * RBAC) that reaches the API server through a fault proxy, which records every request and its
 * status (so a test can see that nothing was forbidden).
 */
export async function serviceAccountAccess(namespace: string, serviceAccount: string): Promise<{ proxy: KubeFaultProxy; kubeconfig: string }> {
  const token = await serviceAccountToken(namespace, serviceAccount);
  const cluster = kubeConfig().getCurrentCluster();
  const proxy = await KubeFaultProxy.start(testenv().apiServer, Buffer.from(cluster?.caData ?? '', 'base64'));
  const kc = new KubeConfig();
  kc.loadFromClusterAndUser(
    { name: 'proxied', server: proxy.url, caData: Buffer.from(proxy.certificate).toString('base64'), skipTLSVerify: false },
    { name: serviceAccount, token },
  );
  const kubeconfig = join(tmpdir(), `${namespace}-${serviceAccount}.kubeconfig`);
  writeFileSync(kubeconfig, kc.exportConfig());
  return { proxy, kubeconfig };
}

/** The operator from source, watching one namespace, electing its leader on a Lease there. */
export function startOperator(kubeconfig: string, namespace: string, identity: string, env: Record<string, string> = {}): Promise<NodeProcess> {
  return startNodeProcess('operator/src/main.ts', ['--kubeconfig', kubeconfig], {
    MAILCLUSTER_WATCH_NAMESPACES: namespace,
    MAILCLUSTER_LEASE_NAMESPACE: namespace,
    MAILCLUSTER_IDENTITY: identity,
    MAILCLUSTER_OPS_LISTEN: '127.0.0.1:0',
    MAILCLUSTER_LOG_LEVEL: 'debug',
    ...env,
  }, 1);
}

const customObjects = () => kubeConfig().makeApiClient(CustomObjectsApi);

export async function createMailCluster(namespace: string, name: string, spec: Record<string, unknown>): Promise<void> {
  await customObjects().createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, body: { apiVersion: `${GROUP}/${VERSION}`, kind: 'MailCluster', metadata: { name }, spec } });
}

export async function patchMailClusterSpec(namespace: string, name: string, spec: Record<string, unknown>): Promise<void> {
  await customObjects().patchNamespacedCustomObject(
    { group: GROUP, version: VERSION, namespace, plural: PLURAL, name, body: { spec } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

export async function getMailCluster(namespace: string, name: string): Promise<MailClusterObject> {
  return (await customObjects().getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name })) as MailClusterObject;
}

export function condition(cluster: MailClusterObject, type: string) {
  return cluster.status?.conditions?.find((c) => c.type === type);
}

/** Waits until the operator has seen the latest spec and `check` holds for what it reports. */
export function waitForStatus(namespace: string, name: string, what: string, check: (cluster: MailClusterObject) => boolean, timeoutMs = 120_000): Promise<MailClusterObject> {
  return waitFor(what, async () => {
    const cluster = await getMailCluster(namespace, name);
    return cluster.status?.observedGeneration === cluster.metadata.generation && check(cluster) ? cluster : undefined;
  }, { timeoutMs, intervalMs: 500 });
}

export const isReady = (cluster: MailClusterObject): boolean => condition(cluster, 'Ready')?.status === 'True';

/** A namespace that enforces Pod Security "restricted", and an operator identity that manages only it. */
export async function operatorNamespace(prefix: string): Promise<{ ns: Namespace; proxy: KubeFaultProxy; kubeconfig: string }> {
  const ns = await freshNamespace(prefix);
  await kubectl(['label', 'namespace', ns.name, 'pod-security.kubernetes.io/enforce=restricted']);
  return { ns, ...(await operatorAccess(ns.name)) };
}

export async function stopOperator(operator: NodeProcess | undefined): Promise<void> {
  if (!operator || operator.child.exitCode !== null) return;
  operator.signal('SIGTERM');
  await operator.exited;
}

/** Running and Ready pods of the MailClusters in a namespace, per component label. */
export async function readyPods(namespace: string): Promise<Record<string, number>> {
  const pods = (await kubeConfig().makeApiClient(CoreV1Api).listNamespacedPod({ namespace, labelSelector: 'app.kubernetes.io/name=mailcluster' })).items;
  const counts: Record<string, number> = {};
  const ready = (pod: V1Pod) => pod.status?.phase === 'Running' && pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
  for (const pod of pods.filter(ready)) {
    const component = pod.metadata?.labels?.['app.kubernetes.io/component'] ?? '?';
    counts[component] = (counts[component] ?? 0) + 1;
  }
  return counts;
}

/** The value of a metric on a running operator's /metrics (summed over label sets). */
export async function operatorMetric(operator: NodeProcess, name: string): Promise<number> {
  const port = operator.ports['ops endpoint listening (/metrics /healthz /readyz)'];
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `)).reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}
