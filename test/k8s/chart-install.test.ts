import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  PatchStrategy,
  RbacAuthorizationV1Api,
  type V1Deployment,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { CHART_DIR, containerEnv, findObject, operatorContainer, parseManifests, startChartOperator } from '../support/chart.ts';
import { exists, expectApiError, freshNamespace, helm, kubeConfig, kubeConfigForToken, kubectl, type Namespace, serviceAccountToken, waitFor } from '../support/k8s.ts';
import type { KubeFaultProxy } from '../support/kube-proxy.ts';
import type { NodeProcess } from '../support/node-process.ts';
import { getMailCluster, installCrd, isReady, patchMailClusterSpec, serviceAccountAccess, stopOperator, waitForStatus } from '../support/operator.ts';
import { repo } from '../support/shell-env.ts';

/**
 * The chart installed on the test control plane as a platform team would install it, then the
 * operator run from the repo with a token of the chart's ServiceAccount — so with exactly the
 * chart's RBAC and the chart's environment — reconciling examples/mailcluster.yaml. The chart's own
 * operator pods are kwok's: they are Ready but run nothing (docs/testenv.md).
 */

const apps = () => kubeConfig().makeApiClient(AppsV1Api);
const rbac = () => kubeConfig().makeApiClient(RbacAuthorizationV1Api);
const DRY_RUN = 'All';

async function restrictedNamespace(prefix: string): Promise<Namespace> {
  const ns = await freshNamespace(prefix);
  await kubectl(['label', 'namespace', ns.name, 'pod-security.kubernetes.io/enforce=restricted']);
  return ns;
}

/** The release's operator Deployment as Helm last applied it. */
async function releaseDeployment(release: string, namespace: string): Promise<V1Deployment> {
  const { stdout } = await helm(['get', 'manifest', release, '--namespace', namespace]);
  return findObject<V1Deployment>(parseManifests(stdout), 'Deployment');
}

/** A Running pod of the release's Deployment: its name is what the downward API gives the operator. */
async function operatorPodName(deployment: V1Deployment): Promise<string> {
  const selector = Object.entries(deployment.spec?.selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  return waitFor(`a Running pod of ${deployment.metadata?.name}`, async () => {
    const pods = await kubeConfig().makeApiClient(CoreV1Api).listNamespacedPod({ namespace: deployment.metadata?.namespace ?? '', labelSelector: selector });
    return pods.items.find((p) => p.status?.phase === 'Running' && p.metadata?.deletionTimestamp === undefined)?.metadata?.name;
  });
}

/** Requests the API server answered 401 or 403. */
/**
 * The requests the API server refused, cluster-wide ones and those in `namespaces`. The chart's
 * operator watches every namespace, so it also reconciles the MailClusters of tests running beside
 * this one, whose namespaces may be terminating (a create there is 403 whatever the RBAC).
 */
function refused(proxy: KubeFaultProxy, namespaces: readonly Namespace[]): string[] {
  const inScope = (path: string) => {
    const namespace = /\/namespaces\/([^/]+)\//.exec(path)?.[1];
    return namespace === undefined || namespaces.some((n) => n.name === namespace);
  };
  return proxy.requests.filter((r) => (r.status === 401 || r.status === 403) && inScope(r.path)).map((r) => `${r.method} ${r.path} ${r.status}`);
}

describe('helm install, the operator with exactly the chart\'s RBAC, helm upgrade, helm uninstall', () => {
  let releaseNs: Namespace;
  let mailNs: Namespace;
  let otherNs: Namespace;
  let release: string;
  let serviceAccount: string;
  let access: { proxy: KubeFaultProxy; kubeconfig: string } | undefined;
  let operator: NodeProcess | undefined;
  let asOperator: KubeConfig;

  /** The operator from the repo as the release's Deployment configures it now, authenticated as its ServiceAccount. */
  async function startReleaseOperator(): Promise<V1Deployment> {
    await stopOperator(operator);
    await access?.proxy.close();
    const deployment = await releaseDeployment(release, releaseNs.name);
    serviceAccount = deployment.spec?.template.spec?.serviceAccountName ?? '';
    access = await serviceAccountAccess(releaseNs.name, serviceAccount);
    // RBAC written by Helm a moment ago may not be in the authorizer's cache yet, and an operator
    // whose first list is refused does not recover by itself (it waits for the 10-minute relist).
    const watched = containerEnv(operatorContainer(deployment), { name: '', namespace: releaseNs.name }).MAILCLUSTER_WATCH_NAMESPACES?.split(',').filter(Boolean) ?? [];
    for (const scope of watched.length > 0 ? watched.map((ns) => ['-n', ns]) : [['--all-namespaces']]) {
      await waitFor(`${serviceAccount} may list MailClusters (${scope.join(' ')})`, async () =>
        (await kubectl(['auth', 'can-i', 'list', 'mailclusters.mailcluster.dev', ...scope, `--as=system:serviceaccount:${releaseNs.name}:${serviceAccount}`], { check: false })).stdout.trim() === 'yes');
    }
    const started = await startChartOperator(deployment, await operatorPodName(deployment), access.kubeconfig);
    operator = started;
    onTestFailed(() => {
      const problems = started.output().split('\n').filter((line) => /"level":"(warn|error|fatal)"/.test(line));
      console.error(`operator warnings and errors (last 20):\n${problems.slice(-20).join('\n')}`);
    });
    return deployment;
  }

  beforeAll(async () => {
    await installCrd();
    releaseNs = await restrictedNamespace('chart-install');
    mailNs = await restrictedNamespace('chart-mail');
    otherNs = await freshNamespace('chart-other');
    release = releaseNs.name;
    await kubectl(['create', 'secret', 'generic', 'not-yours', '-n', otherNs.name, '--from-literal=password=hunter2']);
  });
  afterAll(async () => {
    await stopOperator(operator);
    await access?.proxy.close();
    await helm(['uninstall', release, '--namespace', releaseNs.name], { check: false });
    for (const ns of [releaseNs, mailNs, otherNs]) await ns.cleanup();
  });

  it('helm install --wait makes the operator\'s objects, its pods pass Pod Security "restricted" and get Ready, and the MailCluster from values', async () => {
    const install = await helm(['install', release, CHART_DIR, '--namespace', releaseNs.name, '--set', 'mailCluster.enabled=true', '--wait', '--timeout', '2m']);
    expect(install.stdout).toMatch(/STATUS: deployed/);
    expect(install.stdout).toContain(`kubectl -n ${releaseNs.name} rollout status deployment/${release}-mailcluster-operator`); // NOTES.txt
    const name = `${release}-mailcluster-operator`;
    const deployment = await apps().readNamespacedDeployment({ namespace: releaseNs.name, name });
    expect(deployment.status).toMatchObject({ replicas: 2, readyReplicas: 2 });
    const { stdout } = await kubectl(['get', 'serviceaccount,service,poddisruptionbudget,role,rolebinding', '-n', releaseNs.name, '-o', 'name']);
    expect(stdout.trim().split('\n').sort()).toEqual([
      `poddisruptionbudget.policy/${name}`,
      `role.rbac.authorization.k8s.io/${name}-leader-election`,
      `rolebinding.rbac.authorization.k8s.io/${name}-leader-election`,
      'serviceaccount/default',
      `serviceaccount/${name}`,
      `service/${name}-metrics`,
    ].sort());
    expect(await exists(() => rbac().readClusterRole({ name }))).toBe(true);
    expect(await exists(() => rbac().readClusterRoleBinding({ name }))).toBe(true);
    const cluster = await getMailCluster(releaseNs.name, 'mail');
    expect(cluster.spec).toMatchObject({ users: 1000, domains: ['example.com'] });
  });

  it('the operator, as the chart\'s ServiceAccount with the chart\'s environment, reconciles examples/mailcluster.yaml and the chart\'s MailCluster to Ready; the API server refuses it nothing', async () => {
    const deployment = await startReleaseOperator();
    const identity = containerEnv(operatorContainer(deployment), { name: await operatorPodName(deployment), namespace: releaseNs.name }).MAILCLUSTER_IDENTITY;
    await kubectl(['apply', '-n', mailNs.name, '-f', join(repo, 'examples', 'mailcluster.yaml')]);
    const example = await waitForStatus(mailNs.name, 'mail', 'examples/mailcluster.yaml Ready', isReady);
    expect(example.status).toMatchObject({ web: { desired: 4, ready: 4 }, db: { desired: 1, ready: 1 }, writer: { desired: 1, ready: 1 }, nats: { desired: 3, ready: 3 } });
    await waitForStatus(releaseNs.name, 'mail', 'the chart\'s MailCluster Ready', isReady);
    // Every right was used: secrets made, events written, the Lease taken in the release namespace.
    const core = kubeConfig().makeApiClient(CoreV1Api);
    expect((await core.listNamespacedSecret({ namespace: mailNs.name })).items.map((s) => s.metadata?.name).sort()).toEqual(['mail-db-credentials', 'mail-smtp-tls', 'mail-submission']);
    expect((await core.listNamespacedEvent({ namespace: mailNs.name })).items.some((e) => e.reason === 'Applied' && e.reportingInstance === identity)).toBe(true);
    const lease = await kubeConfig().makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: releaseNs.name, name: `${release}-mailcluster-operator` });
    expect(lease.spec?.holderIdentity).toBe(identity);
    expect(refused(access!.proxy, [releaseNs, mailNs, otherNs])).toEqual([]);
    const port = operator!.ports['ops endpoint listening (/metrics /healthz /readyz)'];
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200); // every cache listed and watching
  });

  it('outside its RBAC the ServiceAccount is refused: no listing Secrets, no pods, no nodes, no foreign Leases, no MailCluster spec edits, no RBAC', async () => {
    asOperator = kubeConfigForToken(await serviceAccountToken(releaseNs.name, serviceAccount), serviceAccount);
    const core = asOperator.makeApiClient(CoreV1Api);
    const refusals = [
      () => core.listNamespacedSecret({ namespace: otherNs.name }),
      () => core.listSecretForAllNamespaces(),
      () => core.deleteNamespacedSecret({ namespace: otherNs.name, name: 'not-yours', dryRun: DRY_RUN }),
      () => core.createNamespacedPod({ namespace: mailNs.name, dryRun: DRY_RUN, body: { metadata: { name: 'x' }, spec: { containers: [{ name: 'x', image: 'x' }] } } }),
      () => core.listNode(),
      () => asOperator.makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: 'kube-system', name: 'kube-controller-manager' }),
      () => asOperator.makeApiClient(CoordinationV1Api).createNamespacedLease({ namespace: mailNs.name, dryRun: DRY_RUN, body: { metadata: { name: 'x' } } }),
      () => asOperator.makeApiClient(CustomObjectsApi).patchNamespacedCustomObject(
        { group: 'mailcluster.dev', version: 'v1alpha1', namespace: mailNs.name, plural: 'mailclusters', name: 'mail', dryRun: DRY_RUN, body: { spec: { users: 1 } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch)),
      () => asOperator.makeApiClient(CustomObjectsApi).deleteNamespacedCustomObject({ group: 'mailcluster.dev', version: 'v1alpha1', namespace: mailNs.name, plural: 'mailclusters', name: 'mail', dryRun: DRY_RUN }),
      () => asOperator.makeApiClient(RbacAuthorizationV1Api).createClusterRoleBinding({ dryRun: DRY_RUN, body: {
        metadata: { name: 'x' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace: releaseNs.name }] } }),
    ];
    for (const [i, call] of refusals.entries()) expect((await expectApiError(call)).code, `refusal ${i}`).toBe(403);
    // What it may do, so the refusals above are not a broken token: read one Secret by name, anywhere
    // (a MailCluster may live in any namespace when the operator watches them all).
    expect((await core.readNamespacedSecret({ namespace: otherNs.name, name: 'not-yours' })).metadata?.name).toBe('not-yours');
  });

  it('helm upgrade to watch two namespaces replaces the ClusterRole with a Role in each; the operator, restarted with the new environment, scales the example with only those rights', async () => {
    // The chart's MailCluster lives in the release namespace: the operator must watch it.
    const refusedUpgrade = await helm(['upgrade', release, CHART_DIR, '--namespace', releaseNs.name, '--reuse-values', '--set', `config.watchNamespaces={${mailNs.name}}`], { check: false });
    expect(refusedUpgrade.exitCode).not.toBe(0);
    expect(refusedUpgrade.stderr).toMatch(/does not include it: the operator would never see it/);

    await helm(['upgrade', release, CHART_DIR, '--namespace', releaseNs.name, '--reuse-values', '--wait', '--timeout', '2m',
      '--set', `config.watchNamespaces={${mailNs.name},${releaseNs.name}}`, '--set', 'deployment.replicas=3', '--set', 'config.logLevel=debug']);
    const name = `${release}-mailcluster-operator`;
    expect(await exists(() => rbac().readClusterRole({ name }))).toBe(false);
    expect(await exists(() => rbac().readClusterRoleBinding({ name }))).toBe(false);
    for (const namespace of [mailNs.name, releaseNs.name]) {
      expect(await exists(() => rbac().readNamespacedRole({ namespace, name })), namespace).toBe(true);
      expect(await exists(() => rbac().readNamespacedRoleBinding({ namespace, name })), namespace).toBe(true);
    }
    expect(await exists(() => rbac().readNamespacedRole({ namespace: otherNs.name, name }))).toBe(false);
    const live = await apps().readNamespacedDeployment({ namespace: releaseNs.name, name });
    expect(live.spec?.replicas).toBe(3);
    await waitFor('3 operator pods Ready', async () => (await apps().readNamespacedDeployment({ namespace: releaseNs.name, name })).status?.readyReplicas === 3);

    const deployment = await startReleaseOperator();
    expect(containerEnv(operatorContainer(deployment), { name: 'p', namespace: releaseNs.name })).toMatchObject({
      MAILCLUSTER_WATCH_NAMESPACES: `${mailNs.name},${releaseNs.name}`,
      MAILCLUSTER_LOG_LEVEL: 'debug',
    });
    await patchMailClusterSpec(mailNs.name, 'mail', { users: 2_500_000 });
    const scaled = await waitForStatus(mailNs.name, 'mail', '2.5M users Ready', (c) => isReady(c) && c.status?.db?.ready === 3);
    expect(scaled.status).toMatchObject({ web: { desired: 10, ready: 10 }, db: { desired: 3, ready: 3 }, writer: { desired: 3, ready: 3 } });
    expect(refused(access!.proxy, [releaseNs, mailNs, otherNs])).toEqual([]);

    // Now the Secret in the unwatched namespace is out of reach, and so is every namespace's list.
    const core = asOperator.makeApiClient(CoreV1Api);
    expect((await expectApiError(() => core.readNamespacedSecret({ namespace: otherNs.name, name: 'not-yours' }))).code).toBe(403);
    expect((await expectApiError(() => asOperator.makeApiClient(CustomObjectsApi).listClusterCustomObject({ group: 'mailcluster.dev', version: 'v1alpha1', plural: 'mailclusters' }))).code).toBe(403);
    expect((await core.readNamespacedSecret({ namespace: mailNs.name, name: 'mail-db-credentials' })).metadata?.name).toBe('mail-db-credentials');
  });

  it('helm uninstall removes the operator and its RBAC, and keeps the CRD, both MailClusters and their mail systems', async () => {
    await stopOperator(operator);
    const uninstall = await helm(['uninstall', release, '--namespace', releaseNs.name, '--wait', '--timeout', '2m']);
    expect(uninstall.stdout).toMatch(/kept due to the resource policy/);
    const name = `${release}-mailcluster-operator`;
    const { stdout } = await kubectl(['get', 'deployment,serviceaccount,service,poddisruptionbudget,role,rolebinding', '-n', releaseNs.name, '-l', `app.kubernetes.io/instance=${release}`, '-o', 'name']);
    expect(stdout.trim()).toBe('');
    expect(await exists(() => rbac().readNamespacedRole({ namespace: mailNs.name, name }))).toBe(false);
    expect(await exists(() => apps().readNamespacedDeployment({ namespace: releaseNs.name, name }))).toBe(false);
    expect((await kubectl(['get', 'crd', 'mailclusters.mailcluster.dev', '-o', 'name'])).stdout.trim()).toBe('customresourcedefinition.apiextensions.k8s.io/mailclusters.mailcluster.dev');
    expect(isReady(await getMailCluster(mailNs.name, 'mail'))).toBe(true);
    expect(isReady(await getMailCluster(releaseNs.name, 'mail'))).toBe(true);
    expect((await apps().readNamespacedStatefulSet({ namespace: mailNs.name, name: 'mail-db' })).spec?.replicas).toBe(3);
    // The Lease is the operator's, not Helm's: it stays, unheld once its holder stopped.
    const lease = await kubeConfig().makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: releaseNs.name, name });
    expect(lease.spec?.holderIdentity).toBeUndefined();
  });
});

describe('the chart\'s crds/', () => {
  // The real CRD is shared by every test (and deleting it deletes every MailCluster): this installs
  // the chart with its CRD under a group of its own, the file otherwise byte for byte the chart's.
  // It shares the real CRD's short name and category, so other tests name theirs fully qualified.
  const group = `mco-${randomBytes(4).toString('hex')}.test`;
  const crd = `mailclusters.${group}`;
  let chart: string;
  let ns: Namespace;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chart-crd-'));
    chart = join(dir, 'mailcluster-operator');
    cpSync(CHART_DIR, chart, { recursive: true });
    const file = join(chart, 'crds', 'mailclusters.mailcluster.dev.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replaceAll('mailcluster.dev', group));
    ns = await freshNamespace('chart-crd');
  });
  afterAll(async () => {
    await helm(['uninstall', ns.name, '--namespace', ns.name], { check: false });
    await kubectl(['delete', 'crd', crd, '--ignore-not-found']);
    await ns.cleanup();
    rmSync(join(chart, '..'), { recursive: true, force: true });
  });

  it('helm install creates the CRD before anything else, and helm uninstall leaves it', async () => {
    expect((await kubectl(['get', 'crd', crd], { check: false })).exitCode).not.toBe(0);
    await helm(['install', ns.name, chart, '--namespace', ns.name, '--wait', '--timeout', '2m']);
    await kubectl(['wait', '--for=condition=Established', `crd/${crd}`, '--timeout=30s']);
    const installed = JSON.parse((await kubectl(['get', 'crd', crd, '-o', 'json'])).stdout) as { spec: { names: { kind: string; shortNames: string[] }; versions: { name: string }[] } };
    expect(installed.spec.names).toMatchObject({ kind: 'MailCluster', shortNames: ['mc'] });
    expect(installed.spec.versions.map((v) => v.name)).toEqual(['v1alpha1']);
    await helm(['uninstall', ns.name, '--namespace', ns.name, '--wait']);
    expect((await kubectl(['get', 'crd', crd, '-o', 'name'])).stdout.trim()).toBe(`customresourcedefinition.apiextensions.k8s.io/${crd}`);
  });
});
