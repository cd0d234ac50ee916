import { setTimeout as sleep } from 'node:timers/promises';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectApiError, freshNamespace, kubeConfig, kubectl, type Namespace } from '../support/k8s.ts';
import type { NodeProcess } from '../support/node-process.ts';
import {
  condition,
  createMailCluster,
  getMailCluster,
  installCrd,
  isReady,
  operatorNamespace,
  patchMailClusterSpec,
  readyPods,
  startOperator,
  stopOperator,
  waitForStatus,
} from '../support/operator.ts';

const apps = () => kubeConfig().makeApiClient(AppsV1Api);
const core = () => kubeConfig().makeApiClient(CoreV1Api);


async function shardAssignments(namespace: string): Promise<{ epoch: number; dbCount: number; assignments: Record<string, number> }> {
  const map = await core().readNamespacedConfigMap({ namespace, name: 'mc-shardmap' });
  return JSON.parse(map.data?.['shardmap.json'] ?? '{}') as { epoch: number; dbCount: number; assignments: Record<string, number> };
}

beforeAll(async () => {
  await installCrd();
});

describe('the operator sizes a MailCluster from its users', () => {
  let env: Awaited<ReturnType<typeof operatorNamespace>>;
  let operator: NodeProcess;

  beforeAll(async () => {
    env = await operatorNamespace('op-size');
    operator = await startOperator(env.kubeconfig, env.ns.name, 'op-size');
  });
  afterAll(async () => {
    await stopOperator(operator);
    await env.proxy.close();
    await env.ns.cleanup();
  });

  it('runs 1M users as 4 web, 2–4 smtp, 1 db, 1 writer and 3 NATS pods, all Running, and reports Ready', async () => {
    await createMailCluster(env.ns.name, 'mc', { users: 1_000_000, domains: ['example.com'] });
    const cluster = await waitForStatus(env.ns.name, 'mc', 'Ready=True', isReady);
    expect(cluster.status).toMatchObject({ web: { desired: 4, ready: 4 }, db: { desired: 1, ready: 1 }, writer: { desired: 1, ready: 1 }, delivery: { desired: 2, ready: 2 }, nats: { desired: 3, ready: 3 } });
    expect(cluster.status?.smtp?.min).toBe(2);
    expect(cluster.status?.smtp?.max).toBe(4);
    expect(cluster.status?.smtp?.ready).toBeGreaterThanOrEqual(2);
    expect(condition(cluster, 'Progressing')).toMatchObject({ status: 'False', reason: 'UpToDate' });
    const pods = await readyPods(env.ns.name);
    expect(pods).toMatchObject({ web: 4, db: 1, writer: 1, delivery: 2, nats: 3 });
    expect(pods['smtp-ingest']).toBeGreaterThanOrEqual(2);
    const printed = await kubectl(['get', 'mailclusters.mailcluster.dev', '-n', env.ns.name]);
    expect(printed.stdout.split('\n')[0]).toMatch(/^NAME\s+USERS\s+WEB\s+SMTP\s+DB\s+READY\s+AGE/);
    expect(printed.stdout.split('\n')[1]).toMatch(/^mc\s+1000000\s+4\s+2\s+1\s+True/);
  });

  it('grows to 2.5M users: web 10, db 3, and prefixes only ever move onto the new dbs', async () => {
    const one = await shardAssignments(env.ns.name);
    expect(one.dbCount).toBe(1);
    for (const [users, dbs] of [[1_500_000, 2], [2_500_000, 3]] as const) {
      const before = await shardAssignments(env.ns.name);
      await patchMailClusterSpec(env.ns.name, 'mc', { users });
      await waitForStatus(env.ns.name, 'mc', `${dbs} dbs ready`, (c) => isReady(c) && c.status?.db?.ready === dbs);
      const after = await shardAssignments(env.ns.name);
      expect(after).toMatchObject({ dbCount: dbs, epoch: before.epoch + 1 });
      const moved = Object.keys(after.assignments).filter((p) => after.assignments[p] !== before.assignments[p]);
      expect(moved.length).toBeGreaterThan(1369 / dbs / 2);
      for (const prefix of moved) expect(after.assignments[prefix], prefix).toBe(dbs - 1);
    }
    const cluster = await getMailCluster(env.ns.name, 'mc');
    expect(cluster.status?.web).toEqual({ desired: 10, ready: 10 });
    expect(cluster.status?.shardMap?.prefixesPerDb).toHaveLength(3);
    expect(new Set(Object.values((await shardAssignments(env.ns.name)).assignments))).toEqual(new Set([0, 1, 2]));
  });

  it('shrinks to 500k users: web 2, but the db tier keeps 3 servers with ScalingBlocked and a Warning event', async () => {
    await patchMailClusterSpec(env.ns.name, 'mc', { users: 500_000 });
    const cluster = await waitForStatus(env.ns.name, 'mc', 'web 2 and ScalingBlocked', (c) => isReady(c) && c.status?.web?.ready === 2);
    expect(cluster.status?.db).toEqual({ desired: 3, ready: 3 });
    expect(condition(cluster, 'ScalingBlocked')).toMatchObject({ status: 'True', reason: 'DbShrinkBlocked' });
    const db = await apps().readNamespacedStatefulSet({ namespace: env.ns.name, name: 'mc-db' });
    expect(db.spec?.replicas).toBe(3);
    const events = (await core().listNamespacedEvent({ namespace: env.ns.name })).items;
    expect(events.some((e) => e.type === 'Warning' && e.reason === 'ScalingBlocked')).toBe(true);
  });

  it('sends no writes at steady state (60 s, leader election aside)', async () => {
    await sleep(5_000);
    const from = env.proxy.requests.length;
    await sleep(60_000);
    expect(env.proxy.writesSince(from)).toEqual([]);
    expect(env.proxy.requests.length - from).toBeGreaterThan(0); // it was talking: watches, lease
  }, 90_000);
});

describe('the API server refuses invalid MailClusters', () => {
  let ns: Namespace;
  beforeAll(async () => {
    ns = await freshNamespace('op-invalid');
  });
  afterAll(async () => {
    await ns.cleanup();
  });

  it.each([
    [{ users: -5 }, /spec\.users: Invalid value: -5: spec\.users in body should be greater than or equal to 1/],
    [{ users: 10, domains: ['Not A Domain'] }, /spec\.domains\[0\].*should match/],
    [{ users: 10, ratios: { smtpPerMillionMin: 5, smtpPerMillionMax: 2 } }, /smtpPerMillionMin must not exceed smtpPerMillionMax/],
    [{ users: 10, web: { ingress: { tlsSecretName: 'x' } } }, /ingress\.tlsSecretName needs ingress\.host/],
    [{ users: 10, smtp: { serviceType: 'ExternalName' } }, /spec\.smtp\.serviceType: Unsupported value: "ExternalName"/],
  ])('%j', async (spec, message) => {
    const { code, status } = await expectApiError(() => createMailCluster(ns.name, 'bad', spec));
    expect(code).toBe(422);
    expect(status.message).toMatch(message);
  });

  it('reports an unknown field (strict field validation, as kubectl applies)', async () => {
    const manifest = `apiVersion: mailcluster.dev/v1alpha1\nkind: MailCluster\nmetadata: {name: typo, namespace: ${ns.name}}\nspec: {users: 10, user: 20}\n`;
    const result = await kubectl(['apply', '-f', '-'], { input: manifest, check: false });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/unknown field "spec\.user"/);
  });
});
