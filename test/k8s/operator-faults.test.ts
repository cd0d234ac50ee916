import { AppsV1Api, CoreV1Api, CoordinationV1Api } from '@kubernetes/client-node';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freshNamespace, kubeConfig, kubectl, waitFor } from '../support/k8s.ts';
import {
  condition,
  createMailCluster,
  getMailCluster,
  installCrd,
  isReady,
  operatorMetric,
  operatorNamespace,
  serviceAccountAccess,
  patchMailClusterSpec,
  startOperator,
  stopOperator,
  waitForStatus,
} from '../support/operator.ts';

const apps = () => kubeConfig().makeApiClient(AppsV1Api);
const core = () => kubeConfig().makeApiClient(CoreV1Api);
const SPEC = { users: 1_000_000, domains: ['example.com'] };

/** Every object the operator made for cluster `mc`, as kind/name (owned ones carry its instance label). */
async function ownedObjects(namespace: string): Promise<string[]> {
  const { stdout } = await kubectl(['get', 'statefulsets,deployments,services,configmaps,secrets,poddisruptionbudgets,horizontalpodautoscalers', '-n', namespace, '-l', 'app.kubernetes.io/instance=mc', '-o', 'name']);
  return stdout.trim().split('\n').sort();
}

describe('the operator under faults', () => {
  let cleanup: (() => Promise<void>)[] = [];

  /** A namespace, its operator identity, and operators started by the test, all torn down after it. */
  async function setup(prefix: string) {
    const env = await operatorNamespace(prefix);
    cleanup.push(async () => {
      await env.proxy.close();
      await env.ns.cleanup();
    });
    const start = async (identity: string, extraEnv: Record<string, string> = {}) => {
      const operator = await startOperator(env.kubeconfig, env.ns.name, identity, extraEnv);
      cleanup.unshift(() => stopOperator(operator));
      return operator;
    };
    return { ...env, start };
  }

  beforeAll(async () => {
    await installCrd();
  });
  afterEach(async () => {
    for (const step of cleanup) await step();
    cleanup = [];
  });

  it('recreates a StatefulSet deleted by hand and reverts a hand edit', async () => {
    const env = await setup('op-drift');
    await env.start('op-drift');
    await createMailCluster(env.ns.name, 'mc', SPEC);
    await waitForStatus(env.ns.name, 'mc', 'Ready', isReady);
    const before = (await apps().readNamespacedStatefulSet({ namespace: env.ns.name, name: 'mc-db' })).metadata?.uid;
    await apps().deleteNamespacedStatefulSet({ namespace: env.ns.name, name: 'mc-db' });
    await kubectl(['scale', 'statefulset', 'mc-web', '-n', env.ns.name, '--replicas=7']);
    await waitFor('mc-db to be recreated', async () => {
      const db = await apps().readNamespacedStatefulSet({ namespace: env.ns.name, name: 'mc-db' }).catch(() => undefined);
      return db !== undefined && db.metadata?.uid !== before;
    });
    await waitFor('mc-web back at 4 replicas', async () => (await apps().readNamespacedStatefulSet({ namespace: env.ns.name, name: 'mc-web' })).spec?.replicas === 4);
    await waitForStatus(env.ns.name, 'mc', 'Ready again', isReady);
    // The db pod came back on its old volume.
    const claims = (await core().listNamespacedPersistentVolumeClaim({ namespace: env.ns.name })).items.map((c) => c.metadata?.name);
    expect(claims.filter((c) => c?.startsWith('data-mc-db-'))).toEqual(['data-mc-db-0']);
  });

  it('retries an injected 409 without reporting a failure', async () => {
    const env = await setup('op-conflict');
    env.proxy.fail({ method: 'PATCH', path: /\/mailclusters\/mc\/status$/, status: 409, times: 3 });
    env.proxy.fail({ method: 'PATCH', path: /\/statefulsets\/mc-web$/, status: 409, times: 2 });
    await env.start('op-conflict');
    await createMailCluster(env.ns.name, 'mc', SPEC);
    const cluster = await waitForStatus(env.ns.name, 'mc', 'Ready', isReady);
    expect(env.proxy.requests.filter((r) => r.status === 409)).toHaveLength(5);
    expect(condition(cluster, 'Degraded')).toMatchObject({ status: 'False', reason: 'NoProblems' });
    const events = (await core().listNamespacedEvent({ namespace: env.ns.name })).items;
    const operatorWarnings = events.filter((e) => e.type === 'Warning' && e.involvedObject.kind === 'MailCluster');
    expect(operatorWarnings.map((e) => e.reason)).toEqual([]);
    expect(events.some((e) => e.involvedObject.kind === 'MailCluster' && e.reason === 'Applied')).toBe(true);
  });

  it('relists and converges after its watch connections are cut', async () => {
    const env = await setup('op-watchcut');
    await env.start('op-watchcut');
    await createMailCluster(env.ns.name, 'mc', SPEC);
    await waitForStatus(env.ns.name, 'mc', 'Ready', isReady);
    env.proxy.cut(5_000);
    // While the operator cannot see anything, the world changes.
    await apps().deleteNamespacedStatefulSet({ namespace: env.ns.name, name: 'mc-web' });
    await patchMailClusterSpec(env.ns.name, 'mc', { users: 2_000_000 });
    const cluster = await waitForStatus(env.ns.name, 'mc', 'web 8 and 2 dbs', (c) => isReady(c) && c.status?.web?.ready === 8 && c.status.db?.ready === 2);
    expect(cluster.status?.web).toEqual({ desired: 8, ready: 8 });
  });

  it('converges after being killed -9 in the middle of a reconcile, with no duplicate objects', async () => {
    const env = await setup('op-kill');
    const first = await env.start('op-kill');
    await createMailCluster(env.ns.name, 'mc', SPEC);
    // Strike as soon as the first StatefulSet is applied: the rest of the pass never happens.
    await waitFor('the first StatefulSet apply', () => env.proxy.requests.some((r) => r.method === 'PATCH' && r.path.includes('/statefulsets/')), { intervalMs: 5 });
    first.signal('SIGKILL');
    await first.exited;
    const partial = await ownedObjects(env.ns.name);
    await env.start('op-kill');
    await waitForStatus(env.ns.name, 'mc', 'Ready', isReady);
    const all = await ownedObjects(env.ns.name);
    expect(all.length).toBeGreaterThan(partial.length);
    expect(new Set(all).size).toBe(all.length);
    expect(all).toEqual([
      'configmap/mc-db-config', 'configmap/mc-domains', 'configmap/mc-nats-config', 'configmap/mc-shardmap',
      'deployment.apps/mc-delivery', 'deployment.apps/mc-writer',
      'horizontalpodautoscaler.autoscaling/mc-smtp',
      'poddisruptionbudget.policy/mc-db', 'poddisruptionbudget.policy/mc-delivery', 'poddisruptionbudget.policy/mc-nats', 'poddisruptionbudget.policy/mc-smtp', 'poddisruptionbudget.policy/mc-web', 'poddisruptionbudget.policy/mc-writer',
      'secret/mc-db-credentials', 'secret/mc-smtp-tls', 'secret/mc-submission',
      'service/mc-db-hl', 'service/mc-nats', 'service/mc-nats-hl', 'service/mc-smtp', 'service/mc-smtp-hl', 'service/mc-web', 'service/mc-web-hl',
      'statefulset.apps/mc-db', 'statefulset.apps/mc-nats', 'statefulset.apps/mc-smtp', 'statefulset.apps/mc-web',
    ]);
  });

  it('waits for its rights when its first list is refused, then works (no empty cache taken for the truth)', async () => {
    const ns = await freshNamespace('op-norights');
    cleanup.push(() => ns.cleanup());
    await kubectl(['label', 'namespace', ns.name, 'pod-security.kubernetes.io/enforce=restricted']);
    await kubectl(['create', 'serviceaccount', 'late-operator', '-n', ns.name]);
    const access = await serviceAccountAccess(ns.name, 'late-operator');
    cleanup.push(() => access.proxy.close());
    const operator = await startOperator(access.kubeconfig, ns.name, 'op-late');
    cleanup.unshift(() => stopOperator(operator));
    await waitFor('the refused first list', () => access.proxy.requests.some((r) => r.status === 403));
    const port = operator.ports['ops endpoint listening (/metrics /healthz /readyz)'];
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(503);
    await kubectl(['create', 'rolebinding', 'late-operator', '-n', ns.name, '--clusterrole=cluster-admin', `--serviceaccount=${ns.name}:late-operator`]);
    await createMailCluster(ns.name, 'mc', SPEC);
    await waitForStatus(ns.name, 'mc', 'Ready', isReady);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
  });

  it('runs one leader of two replicas and fails over when the leader dies', async () => {
    const env = await setup('op-leader');
    const a = await env.start('op-a');
    const b = await env.start('op-b');
    const lease = () => kubeConfig().makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: env.ns.name, name: 'mailcluster-operator' });
    const holder = await waitFor('a leader', async () => (await lease()).spec?.holderIdentity);
    const [leader, standby] = holder === 'op-a' ? [a, b] : [b, a];
    await createMailCluster(env.ns.name, 'mc', SPEC);
    await waitForStatus(env.ns.name, 'mc', 'Ready', isReady);
    expect(await operatorMetric(leader, 'mailcluster_operator_leader')).toBe(1);
    expect(await operatorMetric(standby, 'mailcluster_operator_leader')).toBe(0);
    expect(await operatorMetric(standby, 'mailcluster_operator_writes_total')).toBe(0);

    leader.signal('SIGKILL');
    await leader.exited;
    const newHolder = await waitFor('the standby to take the lease', async () => {
      const h = (await lease()).spec?.holderIdentity;
      return h !== holder ? h : undefined;
    }, { timeoutMs: 45_000 });
    expect(newHolder).toBe(holder === 'op-a' ? 'op-b' : 'op-a');
    await patchMailClusterSpec(env.ns.name, 'mc', { users: 1_500_000 });
    await waitForStatus(env.ns.name, 'mc', 'web 6 under the new leader', (c) => isReady(c) && c.status?.web?.ready === 6);
    expect(await operatorMetric(standby, 'mailcluster_operator_writes_total')).toBeGreaterThan(0);
  });

  it('deleting the MailCluster removes what it owns but keeps the db volumes and their credentials', async () => {
    const env = await setup('op-delete');
    await env.start('op-delete');
    await createMailCluster(env.ns.name, 'mc', SPEC);
    await waitForStatus(env.ns.name, 'mc', 'Ready', isReady);
    await kubectl(['delete', 'mailclusters.mailcluster.dev', 'mc', '-n', env.ns.name, '--wait=true']);
    await waitFor('owned objects to be garbage-collected', async () => (await ownedObjects(env.ns.name)).filter((o) => o !== '').length === 1);
    expect(await ownedObjects(env.ns.name)).toEqual(['secret/mc-db-credentials']);
    const claims = (await core().listNamespacedPersistentVolumeClaim({ namespace: env.ns.name })).items.map((c) => c.metadata?.name).sort();
    expect(claims).toEqual(['data-mc-db-0', 'data-mc-nats-0', 'data-mc-nats-1', 'data-mc-nats-2']);
    // Created again, it finds its volumes and credentials.
    const password = (await core().readNamespacedSecret({ namespace: env.ns.name, name: 'mc-db-credentials' })).data?.password;
    await createMailCluster(env.ns.name, 'mc', SPEC);
    await waitForStatus(env.ns.name, 'mc', 'Ready again', isReady);
    expect((await core().readNamespacedSecret({ namespace: env.ns.name, name: 'mc-db-credentials' })).data?.password).toBe(password);
    expect((await getMailCluster(env.ns.name, 'mc')).status?.db).toEqual({ desired: 1, ready: 1 });
  });
});
