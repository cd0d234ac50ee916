import { join } from 'node:path';
import { type KubernetesObject, type V1Container, type V1Deployment, loadAllYaml } from '@kubernetes/client-node';
import { helm } from './k8s.ts';
import { type NodeProcess, startNodeProcess } from './node-process.ts';
import { repo } from './shell-env.ts';

/** Helpers for the Helm chart's tests (test/k8s/chart-*.test.ts). */

export const CHART_DIR = join(repo, 'charts', 'mailcluster-operator');
export const chartFile = (name: string): string => join(CHART_DIR, name);

/** What `helm template` renders for a release, as objects (comments and empty documents dropped). */
export async function renderChart(release: string, namespace: string, args: string[] = [], chart = CHART_DIR): Promise<KubernetesObject[]> {
  const { stdout } = await helm(['template', release, chart, '--namespace', namespace, ...args]);
  return parseManifests(stdout);
}

export function parseManifests(text: string): KubernetesObject[] {
  return (loadAllYaml(text) as (KubernetesObject | null)[]).filter((o): o is KubernetesObject => o !== null && typeof o === 'object' && 'kind' in o);
}

/** The one object of a kind (and name), or an error naming what there was. */
export function findObject<T extends KubernetesObject>(objects: readonly KubernetesObject[], kind: string, name?: string, namespace?: string): T {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata?.name === name) && (namespace === undefined || o.metadata?.namespace === namespace));
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name ?? ''}, found ${found.length} among ${objects.map((o) => `${o.kind}/${o.metadata?.name}`).join(', ')}`);
  return found[0] as T;
}

export function operatorContainer(deployment: V1Deployment): V1Container {
  const container = deployment.spec?.template.spec?.containers.find((c) => c.name === 'operator');
  if (!container) throw new Error(`Deployment ${deployment.metadata?.name} has no operator container`);
  return container;
}

/**
 * The environment the kubelet would give the operator container of a pod `podName` in `namespace`:
 * plain values as they are, downward-API fields resolved (only metadata.name and metadata.namespace;
 * anything else becomes a placeholder naming the field).
 */
export function containerEnv(container: V1Container, pod: { name: string; namespace: string }): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    const field = variable.valueFrom?.fieldRef?.fieldPath;
    env[variable.name] = field === 'metadata.name' ? pod.name : field === 'metadata.namespace' ? pod.namespace : field !== undefined ? `<${field}>` : variable.value ?? '';
  }
  return env;
}

/**
 * The operator from the repo's sources, configured exactly as the chart's Deployment configures its
 * container (every MAILCLUSTER_ variable, as pod `podName` would see them) except where it serves
 * its ops endpoint (a free loopback port), authenticated by `kubeconfig`.
 */
export function startChartOperator(deployment: V1Deployment, podName: string, kubeconfig: string): Promise<NodeProcess> {
  const env = containerEnv(operatorContainer(deployment), { name: podName, namespace: deployment.metadata?.namespace ?? '' });
  const operatorEnv = Object.fromEntries(Object.entries(env).filter(([name]) => name.startsWith('MAILCLUSTER_')));
  return startNodeProcess('operator/src/main.ts', ['--kubeconfig', kubeconfig], { ...operatorEnv, MAILCLUSTER_OPS_LISTEN: '127.0.0.1:0' }, 1);
}
