import { setTimeout as sleep } from 'node:timers/promises';
import { AppsV1Api, CoreV1Api, CoordinationV1Api, type V1OwnerReference } from '@kubernetes/client-node';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freshNamespace, kubeConfig, kubectl, waitFor } from '../support/k8s.ts';
import type { KubeFaultProxy } from '../support/kube-proxy.ts';
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
const KINDS = 'statefulsets,deployments,services,configmaps,secrets,poddisruptionbudgets,horizontalpodautoscalers';

/** Every object the operator made for cluster `mc`, as kind/name (owned ones carry its instance label). */
async function ownedObjects(namespace: string): Promise<string[]> {
  const { stdout } = await kubectl(['get', KINDS, '-n', namespace, '-l', 'app.kubernetes.io/instance=mc', '-o', 'name']);
  return stdout.trim().split('\n').sort();
}

interface OwnedObject {
  kind: string;
  metadata: { name: string; uid: string; generation?: number; ownerReferences?: V1OwnerReference[] };
  spec?: { replicas?: number };
  data?: Record<string, string>;
}

/** The same objects in full, keyed by Kind/name. */
async function ownedState(namespace: string): Promise<Map<string, OwnedObject>> {
  const { stdout } = await kubectl(['get', KINDS, '-n', namespace, '-l', 'app.kubernetes.io/instance=mc', '-o', 'json']);
  const items = (JSON.parse(stdout) as { items: OwnedObject[] }).items;
  return new Map(items.map((o) => [`${o.kind}/${o.metadata.name}`, o]));
}

/** Waits until the operator has sent nothing but watches and lease renewals for `ms`: no reconcile in flight. */
function quiet(proxy: KubeFaultProxy, ms = 700): Promise<true> {
  return waitFor('the operator to go quiet', () => {
    const last = proxy.requests.filter((r) => !r.watch && !r.path.includes('/leases/')).at(-1);
    return last === undefined || Date.now() - last.at > ms;
  }, { intervalMs: 100 });
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

  it('backs off on 500 and 503 answers to its writes, never a hot loop, and converges once they stop', async () => {
    const env = await setup('op-5xx');
    await env.start('op-5xx');
    await createMailCluster(env.ns.name, 'mc', SPEC);
    await waitForStatus(env.ns.name, 'mc', 'Ready', isReady);
    await quiet(env.proxy); // no pass in flight: the first to fail is the one the patch sets off
    // Every apply and status write fails (leases and events pass: they are not the reconcile's writes).
    env.proxy.fail({ method: 'PATCH', path: /\/statefulsets\//, status: 503, times: Infinity });
    env.proxy.fail({ method: 'PATCH', path: /^(?!.*\/leases\/)/, status: 500, times: Infinity });
    const from = env.proxy.requests.length;
    await patchMailClusterSpec(env.ns.name, 'mc', { users: 750_000 }); // web 4 → 3; db and shard map stay
    // A pass starts by reading its generated secrets (never cached): one read of this one per pass.
    const passes = () => env.proxy.requests.slice(from).filter((r) => r.method === 'GET' && r.path.endsWith('/secrets/mc-db-credentials')).map((r) => r.at);
    const failed = () => env.proxy.requests.slice(from).filter((r) => r.status >= 500);
    await waitFor('three failed passes', () => {
      const third = passes()[2];
      return third !== undefined && failed().some((r) => r.at >= third);
    }, { timeoutMs: 20_000, intervalMs: 20 });
    await sleep(100); // the rest of that pass's requests in flight
    env.proxy.clearFaults();
    const liftedAt = Date.now();
    const cluster = await waitForStatus(env.ns.name, 'mc', 'web 3 once the API server answers again', (c) => isReady(c) && c.status?.web?.ready === 3);

    const during = passes().filter((at) => at < liftedAt);
    expect(during.length).toBeLessThanOrEqual(4);
    const statuses = new Set(failed().map((r) => r.status));
    expect([...statuses].sort()).toEqual([500, 503]);
    expect(failed().length).toBeLessThanOrEqual(8 * during.length); // at most one wave of requests in flight per pass
    // Retries with growing gaps (1 s, 2 s, 4 s…), the first after the lift included.
    const [a = 0, b = 0, c = 0, d = 0] = passes();
    const gaps = `gaps ${b - a}, ${c - b}, ${d - c} ms`;
    expect(b - a, gaps).toBeGreaterThanOrEqual(800);
    expect(c - b, gaps).toBeGreaterThanOrEqual((b - a) * 1.5);
    expect(d - c, gaps).toBeGreaterThanOrEqual((c - b) * 1.5);
    expect(condition(cluster, 'Degraded')).toMatchObject({ status: 'False', reason: 'NoProblems' });
    const warnings = (await core().listNamespacedEvent({ namespace: env.ns.name })).items.filter((e) => e.type === 'Warning' && e.involvedObject.kind === 'MailCluster');
    expect(warnings.map((e) => e.reason)).toEqual([]);
  });

  it('changes nothing while paused, says so, and converges once unpaused', async () => {
    const env = await setup('op-pause');
    await env.start('op-pause');
    await createMailCluster(env.ns.name, 'mc', SPEC);
    await waitForStatus(env.ns.name, 'mc', 'Ready', isReady);
    await patchMailClusterSpec(env.ns.name, 'mc', { paused: true });
    await waitForStatus(env.ns.name, 'mc', 'Paused', (c) => condition(c, 'Progressing')?.reason === 'Paused');
    const before = await ownedState(env.ns.name);
    const from = env.proxy.requests.length;
    await patchMailClusterSpec(env.ns.name, 'mc', { users: 1_500_000 });
    const paused = await waitForStatus(env.ns.name, 'mc', 'the new size seen, not acted on', (c) => c.status?.web?.desired === 6);
    expect(condition(paused, 'Progressing')).toMatchObject({ status: 'False', reason: 'Paused' });
    expect(paused.status?.web).toEqual({ desired: 6, ready: 4 });
    await sleep(1_000); // the pass its own status write sets off has run too
    // Its one write is the MailCluster's status; no owned object was touched (nor an event recorded).
    expect(env.proxy.writesSince(from).map((r) => `${r.method} ${r.path}`)).toEqual([`PATCH /apis/mailcluster.dev/v1alpha1/namespaces/${env.ns.name}/mailclusters/mc/status`]);
    const after = await ownedState(env.ns.name);
    const generations = (state: Map<string, OwnedObject>) => [...state].map(([name, o]) => `${name}@${o.metadata.generation ?? '-'}`).sort();
    expect(generations(after)).toEqual(generations(before));
    expect(after.get('StatefulSet/mc-web')?.spec?.replicas).toBe(4);

    await patchMailClusterSpec(env.ns.name, 'mc', { paused: false });
    const resumed = await waitForStatus(env.ns.name, 'mc', 'web 6 once unpaused', (c) => isReady(c) && c.status?.web?.ready === 6);
    expect(condition(resumed, 'Progressing')).toMatchObject({ status: 'False', reason: 'UpToDate' });
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

  it('relists when its watches stall silently, and reconciles what changed meanwhile', async () => {
    const env = await setup('op-stall');
    // client-node ends a watch after 30 s without a byte; the periodic relist must come well before.
    await env.start('op-stall', { MAILCLUSTER_RELIST_INTERVAL_MS: '3000' });
    await createMailCluster(env.ns.name, 'mc', SPEC);
    await waitForStatus(env.ns.name, 'mc', 'Ready', isReady);
    const from = env.proxy.requests.length;
    const stalledAt = Date.now();
    expect(env.proxy.stallWatches()).toBeGreaterThanOrEqual(8); // MailClusters and the 7 owned kinds
    // The world changes while the open watches forward nothing.
    await apps().deleteNamespacedStatefulSet({ namespace: env.ns.name, name: 'mc-web' });
    await patchMailClusterSpec(env.ns.name, 'mc', { users: 1_500_000 });
    const cluster = await waitForStatus(env.ns.name, 'mc', 'web 6 after a relist', (c) => isReady(c) && c.status?.web?.ready === 6, 25_000);
    expect(cluster.status?.web).toEqual({ desired: 6, ready: 6 });
    expect(Date.now() - stalledAt).toBeLessThan(30_000); // not the watch's own inactivity timeout
    const lists = env.proxy.requests.slice(from).filter((r) => r.method === 'GET' && !r.watch && /\/(statefulsets|mailclusters)$/.test(r.path));
    expect(lists.map((r) => r.path.split('/').at(-1))).toEqual(expect.arrayContaining(['statefulsets', 'mailclusters']));
  });

  it('converges after being killed -9 in the middle of a reconcile, keeping its secrets and one owner per object', async () => {
    const env = await setup('op-kill');
    const first = await env.start('op-kill');
    await createMailCluster(env.ns.name, 'mc', SPEC);
    // Strike as soon as the first StatefulSet is applied: the rest of the pass never happens.
    await waitFor('the first StatefulSet apply', () => env.proxy.requests.some((r) => r.method === 'PATCH' && r.path.includes('/statefulsets/')), { intervalMs: 5 });
    first.signal('SIGKILL');
    await first.exited;
    const partial = await ownedState(env.ns.name);
    // The generated secrets come first in a pass: they exist, and must survive the restart as they are.
    const secrets = ['Secret/mc-db-credentials', 'Secret/mc-smtp-tls', 'Secret/mc-submission'];
    expect(secrets.filter((s) => partial.has(s))).toEqual(secrets);
    await env.start('op-kill');
    await waitForStatus(env.ns.name, 'mc', 'Ready', isReady);
    const all = await ownedState(env.ns.name);
    expect(all.size).toBeGreaterThan(partial.size);
    for (const name of secrets) {
      expect({ name, uid: all.get(name)?.metadata.uid, data: all.get(name)?.data }).toEqual({ name, uid: partial.get(name)?.metadata.uid, data: partial.get(name)?.data });
    }
    // What the first operator made was adopted as it was, not recreated.
    for (const [name, object] of partial) expect({ name, uid: all.get(name)?.metadata.uid }).toEqual({ name, uid: object.metadata.uid });
    // One owner each, the MailCluster, as controller; the db credentials outlive it on purpose (kept volumes).
    const { uid } = (await getMailCluster(env.ns.name, 'mc')).metadata;
    const owners = [...all].map(([name, o]) => ({ name, owners: (o.metadata.ownerReferences ?? []).map((r) => `${r.kind}/${r.name}/${r.uid}/${String(r.controller)}`) }));
    expect(owners).toEqual([...all.keys()].map((name) => ({ name, owners: name === 'Secret/mc-db-credentials' ? [] : [`MailCluster/mc/${uid}/true`] })));
    expect([...all.keys()].sort()).toEqual([
      'ConfigMap/mc-db-config', 'ConfigMap/mc-domains', 'ConfigMap/mc-nats-config', 'ConfigMap/mc-shardmap',
      'Deployment/mc-delivery', 'Deployment/mc-writer',
      'HorizontalPodAutoscaler/mc-smtp',
      'PodDisruptionBudget/mc-db', 'PodDisruptionBudget/mc-delivery', 'PodDisruptionBudget/mc-nats', 'PodDisruptionBudget/mc-smtp', 'PodDisruptionBudget/mc-web', 'PodDisruptionBudget/mc-writer',
      'Secret/mc-db-credentials', 'Secret/mc-smtp-tls', 'Secret/mc-submission',
      'Service/mc-db-hl', 'Service/mc-nats', 'Service/mc-nats-hl', 'Service/mc-smtp', 'Service/mc-smtp-hl', 'Service/mc-web', 'Service/mc-web-hl',
      'StatefulSet/mc-db', 'StatefulSet/mc-nats', 'StatefulSet/mc-smtp', 'StatefulSet/mc-web',
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
