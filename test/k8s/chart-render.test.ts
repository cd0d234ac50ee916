import { readFileSync } from 'node:fs';
import type { KubernetesObject, V1ClusterRole, V1Deployment, V1PodDisruptionBudget, V1Role, V1Service, V1ServiceAccount } from '@kubernetes/client-node';
import { parseConfig } from '@mailcluster/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { operatorConfigSchema } from '../../operator/src/config.ts';
import { CHART_DIR, chartFile, containerEnv, findObject, operatorContainer, renderChart } from '../support/chart.ts';
import { freshNamespace, helm, kubectl, type Namespace, promtool } from '../support/k8s.ts';
import { installCrd } from '../support/operator.ts';

/**
 * The Helm chart as files: lint, what it renders with the default values, with every option set
 * (ci/all-options-values.yaml) and with everything optional off (ci/minimal-values.yaml), and
 * whether the API server accepts what it renders (server-side dry run). Installing it and running
 * the operator with its RBAC: chart-install.test.ts.
 */

const ALL = ['--values', chartFile('ci/all-options-values.yaml')];
const MINIMAL = ['--values', chartFile('ci/minimal-values.yaml')];
const OPERATOR_LABELS = ['app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/version', 'app.kubernetes.io/component', 'app.kubernetes.io/part-of', 'app.kubernetes.io/managed-by', 'helm.sh/chart'];

const kindsOf = (objects: readonly KubernetesObject[]) => objects.map((o) => o.kind).sort();
const rulesOf = (objects: readonly KubernetesObject[]) => objects.flatMap((o) => (o as V1Role).rules ?? []);

/** MAILCLUSTER_ variable names of the operator's config schema (camelCase key → MAILCLUSTER_SNAKE_CASE). */
const KNOWN_ENV = new Set(Object.keys(operatorConfigSchema.shape).map((key) => `MAILCLUSTER_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`));

describe('helm lint --strict', () => {
  it.each([['default', []], ['all options', ALL], ['minimal', MINIMAL]])('passes with the %s values', async (_name, args) => {
    const { stdout } = await helm(['lint', '--strict', CHART_DIR, '--namespace', 'mco-all', ...args]);
    expect(stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  it.each([
    [['--set', 'deployment.replicaz=3'], /additional properties 'replicaz' not allowed/],
    [['--set', 'config.logLevel=loud'], /logLevel.*value must be one of/s],
    [['--set', 'config.watchNamespaces[0]=Not_A_Namespace'], /does not match pattern/],
    [['--set', 'container.patch[0].op=move', '--set', 'container.patch[0].path=/x'], /value must be one of/],
  ])('fails on values the schema refuses: %j', async (args, message) => {
    const result = await helm(['lint', '--strict', CHART_DIR, ...args], { check: false });
    expect(result.exitCode).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(message);
  });

  it.each([
    [['--set-json', 'deployment.patch=[{"op":"replace","path":"/spec/nope","value":1}]'], /patch\[0\] \/spec\/nope: "nope" does not exist/],
    [['--set-json', 'container.patch=[{"op":"add","path":"/ports/7","value":{}}]'], /index 7 is outside the list \(1 items\)/],
    [['--set-json', 'rbac.patch=[{"op":"remove","path":"/rules/x"}]'], /"x" is not a list index/],
    [['--set', 'mailCluster.enabled=true', '--set', 'config.watchNamespaces={elsewhere}'], /does not include it: the operator would never see it/],
  ])('refuses to render what cannot work: %j', async (args, message) => {
    const result = await helm(['template', 'mco', CHART_DIR, '--namespace', 'mco-system', ...args], { check: false });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(message);
  });
});

describe('with the default values', () => {
  let objects: KubernetesObject[];
  let all: KubernetesObject[];
  let minimal: KubernetesObject[];
  let deployment: V1Deployment;
  beforeAll(async () => {
    [objects, all, minimal] = await Promise.all([renderChart('mco', 'mco-system'), renderChart('mco', 'mco-all', ALL), renderChart('mco', 'mco-system', MINIMAL)]);
    deployment = findObject<V1Deployment>(objects, 'Deployment');
  });

  it('renders the operator, its ServiceAccount, cluster-wide RBAC, the Lease Role, a metrics Service and a PDB, labelled app.kubernetes.io/*', () => {
    expect(kindsOf(objects)).toEqual(['ClusterRole', 'ClusterRoleBinding', 'Deployment', 'PodDisruptionBudget', 'Role', 'RoleBinding', 'Service', 'ServiceAccount']);
    for (const object of objects) {
      expect(Object.keys(object.metadata?.labels ?? {}), `${object.kind} ${object.metadata?.name}`).toEqual(expect.arrayContaining(OPERATOR_LABELS));
      expect(object.metadata?.name).toMatch(/^mco-mailcluster-operator/);
      if (!object.kind?.startsWith('Cluster')) expect(object.metadata?.namespace).toBe('mco-system');
    }
    expect(deployment.spec?.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'mailcluster-operator', 'app.kubernetes.io/instance': 'mco' });
    expect(findObject<V1Service>(objects, 'Service').spec?.ports).toEqual([{ name: 'metrics', port: 9090, targetPort: 'ops', protocol: 'TCP' }]);
    expect(findObject<V1PodDisruptionBudget>(objects, 'PodDisruptionBudget').spec).toMatchObject({ maxUnavailable: 1, selector: deployment.spec?.selector });
  });

  it('runs 2 replicas electing a leader on a Lease in the release namespace, each named by its pod', () => {
    expect(deployment.spec?.replicas).toBe(2);
    const env = containerEnv(operatorContainer(deployment), { name: 'mco-pod-1', namespace: 'mco-system' });
    expect(env).toMatchObject({
      MAILCLUSTER_LEADER_ELECTION: 'true',
      MAILCLUSTER_LEASE_NAMESPACE: 'mco-system',
      MAILCLUSTER_LEASE_NAME: 'mco-mailcluster-operator',
      MAILCLUSTER_IDENTITY: 'mco-pod-1',
      MAILCLUSTER_WATCH_NAMESPACES: '',
    });
    const leaseRole = findObject<V1Role>(objects, 'Role');
    expect(leaseRole.metadata?.namespace).toBe('mco-system');
    expect(leaseRole.rules).toEqual([
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['mco-mailcluster-operator'], verbs: ['get', 'update'] },
    ]);
  });

  it('passes Pod Security "restricted", probes /healthz and /readyz, and sets resources', () => {
    const pod = deployment.spec?.template.spec;
    const container = operatorContainer(deployment);
    expect(pod?.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    expect(container.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'ops' });
    expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'ops' });
    expect(container.ports).toEqual([{ name: 'ops', containerPort: 9090, protocol: 'TCP' }]);
    expect(container.resources).toEqual({ requests: { cpu: '50m', memory: '256Mi' }, limits: { memory: '512Mi' } });
    expect(container.image).toBe('ghcr.io/mailcluster/operator:0.1.0');
  });

  it('grants the operator exactly what it uses, cluster-wide; no rule of any rendering has a wildcard', () => {
    const role = findObject<V1ClusterRole>(objects, 'ClusterRole');
    const write = ['list', 'watch', 'create', 'patch', 'delete'];
    expect(role.rules).toEqual([
      { apiGroups: ['mailcluster.dev'], resources: ['mailclusters'], verbs: ['list', 'watch'] },
      { apiGroups: ['mailcluster.dev'], resources: ['mailclusters/status'], verbs: ['patch'] },
      { apiGroups: ['mailcluster.dev'], resources: ['mailclusters/finalizers'], verbs: ['update'] },
      { apiGroups: [''], resources: ['configmaps', 'services'], verbs: write },
      { apiGroups: ['apps'], resources: ['statefulsets', 'deployments'], verbs: write },
      { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: write },
      { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: write },
      { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: write },
      { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'create'] },
      { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['get', 'patch'] },
      { apiGroups: [''], resources: ['events'], verbs: ['create'] },
    ]);
    for (const rendered of [objects, all, minimal]) {
      for (const rule of rulesOf(rendered)) expect(JSON.stringify(rule)).not.toContain('*');
    }
    const binding = findObject<KubernetesObject & { subjects: unknown[]; roleRef: unknown }>(objects, 'ClusterRoleBinding');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata?.name });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: findObject<V1ServiceAccount>(objects, 'ServiceAccount').metadata?.name, namespace: 'mco-system' }]);
  });
});

describe('with every option set', () => {
  let objects: KubernetesObject[];
  beforeAll(async () => {
    objects = await renderChart('mco', 'mco-all', ALL);
  });

  it('watching two namespaces: a Role and RoleBinding in each, the Lease Role in the release namespace, nothing cluster-wide', () => {
    expect(kindsOf(objects)).toEqual(['Deployment', 'MailCluster', 'PodDisruptionBudget', 'PodMonitor', 'PrometheusRule', 'Role', 'Role', 'Role', 'RoleBinding', 'RoleBinding', 'RoleBinding', 'Service', 'ServiceAccount', 'ServiceMonitor']);
    const roles = objects.filter((o) => o.kind === 'Role').map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`).sort();
    expect(roles).toEqual(['mco-all-b/mail-operator-rbac', 'mco-all/mail-operator-rbac', 'mco-all/mail-operator-rbac-leader-election']);
    const bindings = objects.filter((o) => o.kind === 'RoleBinding') as (KubernetesObject & { subjects: { name: string; namespace: string }[] })[];
    for (const binding of bindings) expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'mail-operator-sa', namespace: 'mco-all' }]);
  });

  it('applies every name, merge and patch', () => {
    const deployment = findObject<V1Deployment>(objects, 'Deployment', 'mail-operator-deploy');
    const container = operatorContainer(deployment);
    expect(deployment.metadata?.annotations).toEqual({ 'example.com/owner': 'platform' });
    expect(deployment.spec?.revisionHistoryLimit).toBe(2);
    expect(deployment.spec?.replicas).toBe(3);
    expect(deployment.spec?.template.spec).toMatchObject({
      priorityClassName: 'system-cluster-critical',
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'operators', effect: 'NoSchedule' }],
      imagePullSecrets: [{ name: 'registry-credentials' }],
      serviceAccountName: 'mail-operator-sa',
    });
    expect(container).toMatchObject({ image: 'registry.example.com/mailcluster/operator:1.2.3', imagePullPolicy: 'Always', readinessProbe: { periodSeconds: 10 } });
    expect(container.livenessProbe?.timeoutSeconds).toBeUndefined();
    expect(container.volumeMounts?.at(-1)).toEqual({ name: 'tmp', mountPath: '/var/tmp', subPath: 'var-tmp' });
    expect(container.env).toEqual(expect.arrayContaining([
      { name: 'NODE_OPTIONS', value: '--max-old-space-size=256' },
      { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
    ]));
    expect(findObject<V1ServiceAccount>(objects, 'ServiceAccount', 'mail-operator-sa').metadata).toMatchObject({
      annotations: { 'example.com/workload-identity': 'mail-operator' },
      labels: { 'example.com/team': 'platform' },
    });
    const role = findObject<V1Role>(objects, 'Role', 'mail-operator-rbac', 'mco-all-b');
    expect(role.metadata?.annotations).toEqual({ 'example.com/reviewed': '2026-11' });
    expect(role.rules?.at(-1)).toEqual({ apiGroups: [''], resources: ['pods'], verbs: ['list'] });
    expect(findObject<V1Service>(objects, 'Service', 'mail-operator-metrics')).toMatchObject({
      metadata: { annotations: { 'prometheus.io/scrape': 'true' } },
      spec: { ports: [{ name: 'metrics', port: 8443, targetPort: 'ops', protocol: 'TCP', appProtocol: 'http' }] },
    });
    expect(findObject(objects, 'ServiceMonitor', 'mail-operator-monitor')).toMatchObject({
      metadata: { labels: { release: 'prometheus' } },
      spec: { endpoints: [{ port: 'metrics', path: '/metrics', interval: '15s', scrapeTimeout: '10s' }], namespaceSelector: { matchNames: ['mco-all'] } },
    });
    // The mail pods of the watched namespaces, by the labels the operator gives them (not its own pods).
    expect(findObject(objects, 'PodMonitor', 'mail-pods-monitor')).toMatchObject({
      metadata: { labels: { release: 'prometheus' } },
      spec: {
        namespaceSelector: { matchNames: ['mco-all', 'mco-all-b'] },
        selector: { matchLabels: { 'app.kubernetes.io/name': 'mailcluster', 'app.kubernetes.io/part-of': 'mailcluster' } },
        podMetricsEndpoints: [{ port: 'ops', path: '/metrics', interval: '20s', scrapeTimeout: '10s' }],
      },
    });
    expect(findObject<V1PodDisruptionBudget>(objects, 'PodDisruptionBudget', 'mail-operator-pdb').spec).toMatchObject({ maxUnavailable: 2, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
    const cluster = findObject<KubernetesObject & { spec: Record<string, unknown> }>(objects, 'MailCluster', 'mail-all');
    expect(cluster.metadata?.annotations).toEqual({ 'example.com/owner': 'platform' }); // keep: false, so no resource policy
    expect(cluster.spec).toEqual({ users: 2_500_000, domains: ['example.com', 'example.org'], web: { ingress: { host: 'mail.example.com' } }, paused: true });
  });

  it('without the optional objects (minimal values): only the Deployment, bound to an existing ServiceAccount, without leader election', async () => {
    const minimal = await renderChart('mco', 'mco-system', MINIMAL);
    expect(kindsOf(minimal)).toEqual(['Deployment']);
    const deployment = findObject<V1Deployment>(minimal, 'Deployment');
    expect(deployment.spec?.template.spec?.serviceAccountName).toBe('operator');
    expect(containerEnv(operatorContainer(deployment), { name: 'p', namespace: 'mco-system' }).MAILCLUSTER_LEADER_ELECTION).toBe('false');
  });

  it('a MailCluster from values is kept by helm uninstall unless keep is false', async () => {
    const kept = await renderChart('mco', 'mco-system', ['--set', 'mailCluster.enabled=true']);
    expect(findObject(kept, 'MailCluster', 'mail')).toMatchObject({ metadata: { annotations: { 'helm.sh/resource-policy': 'keep' } }, spec: { users: 1000, domains: ['example.com'] } });
  });
});

describe("the chart's operator environment and the operator's config schema agree", () => {
  it.each([['default', []], ['all options', ALL], ['minimal', MINIMAL]])('%s values: every MAILCLUSTER_ variable is one the operator reads, and they parse', async (_name, args) => {
    const deployment = findObject<V1Deployment>(await renderChart('mco', 'mco-all', args), 'Deployment');
    const env = containerEnv(operatorContainer(deployment), { name: 'mco-pod', namespace: 'mco-all' });
    const names = Object.keys(env).filter((name) => name.startsWith('MAILCLUSTER_'));
    expect(names.filter((name) => !KNOWN_ENV.has(name))).toEqual([]);
    const config = parseConfig(operatorConfigSchema, env);
    expect(config.identity).toBe('mco-pod');
    expect(config.leaseNamespace).toBe('mco-all');
    expect(config.kubeconfig).toBeUndefined(); // in a pod: the ServiceAccount's token
  });

  it('with every option set, each one arrives in the parsed config', async () => {
    const deployment = findObject<V1Deployment>(await renderChart('mco', 'mco-all', ALL), 'Deployment');
    const config = parseConfig(operatorConfigSchema, containerEnv(operatorContainer(deployment), { name: 'mco-pod', namespace: 'mco-all' }));
    expect(config).toEqual({
      logLevel: 'debug',
      opsListen: { host: '0.0.0.0', port: 9191 },
      watchNamespaces: ['mco-all', 'mco-all-b'],
      leaderElection: true,
      leaseNamespace: 'mco-all',
      leaseName: 'mail-operator-leader',
      identity: 'mco-pod',
      relistIntervalMs: 300_000,
      concurrency: 4,
      imageWeb: 'registry.example.com/mailcluster/web:1.2.3',
      imageSmtpIngest: 'registry.example.com/mailcluster/smtp-ingest:1.2.3',
      imageWriter: 'registry.example.com/mailcluster/writer:1.2.3',
      imageDelivery: 'registry.example.com/mailcluster/delivery:1.2.3',
      imageDb: 'registry.example.com/library/mariadb:10.11.9',
      imageNats: 'registry.example.com/library/nats:2.15.2-alpine',
    });
  });
});

/** Stand-ins for the Prometheus Operator's CRDs, so that its objects can be dry-run at all. */
const MONITOR_KINDS = ['ServiceMonitor', 'PodMonitor', 'PrometheusRule'] as const;
const monitorCrdName = (kind: string) => `${kind.toLowerCase()}s.monitoring.coreos.com`;
const monitorCrd = (kind: string) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: ${monitorCrdName(kind)}}
spec:
  group: monitoring.coreos.com
  names: {kind: ${kind}, plural: ${kind.toLowerCase()}s, listKind: ${kind}List, singular: ${kind.toLowerCase()}}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`;

describe('the alert rules (rules/mailcluster.rules.yaml)', () => {
  it('are valid Prometheus rules and pass their promtool unit tests (tests/alerts.test.yaml)', async () => {
    expect((await promtool(['check', 'rules', 'rules/mailcluster.rules.yaml'], CHART_DIR)).stdout).toContain('SUCCESS: 5 rules found');
    expect((await promtool(['test', 'rules', 'tests/alerts.test.yaml'], CHART_DIR)).stdout).toContain('SUCCESS');
  });

  it('are what the PrometheusRule carries, as they are', async () => {
    const rendered = await renderChart('mco', 'mco-system', ['--set', 'prometheusRule.enabled=true']);
    const rule = findObject<KubernetesObject & { spec: unknown }>(rendered, 'PrometheusRule', 'mco-mailcluster-operator-mail');
    expect(rule.spec).toEqual(parse(readFileSync(chartFile('rules/mailcluster.rules.yaml'), 'utf8')));
  });
});

describe('the API server accepts what the chart renders (kubectl apply --dry-run=server)', () => {
  const namespaces: Namespace[] = [];
  const madeCrds: string[] = [];

  beforeAll(async () => {
    await installCrd();
    for (const kind of MONITOR_KINDS) {
      const name = monitorCrdName(kind);
      if ((await kubectl(['get', 'crd', name], { check: false })).exitCode === 0) continue;
      await kubectl(['apply', '-f', '-'], { input: monitorCrd(kind) });
      madeCrds.push(name);
      await kubectl(['wait', '--for=condition=Established', `crd/${name}`, '--timeout=60s']);
    }
  });
  afterAll(async () => {
    for (const name of madeCrds) await kubectl(['delete', 'crd', name, '--ignore-not-found']);
    for (const ns of namespaces) await ns.cleanup();
  });

  /** A namespace that enforces, and warns about, Pod Security "restricted". */
  async function restrictedNamespace(prefix: string): Promise<string> {
    const ns = await freshNamespace(prefix);
    namespaces.push(ns);
    await kubectl(['label', 'namespace', ns.name, 'pod-security.kubernetes.io/enforce=restricted', 'pod-security.kubernetes.io/warn=restricted']);
    return ns.name;
  }

  it.each([['default', []], ['all options', ALL], ['minimal', MINIMAL]])('%s values', async (_name, args) => {
    const release = await restrictedNamespace('chart-dry');
    const other = await restrictedNamespace('chart-dry-b');
    // The all-options file names its namespaces; here they are fresh ones.
    const rendered = await helm(['template', 'mco', CHART_DIR, '--namespace', release, ...args,
      ...(args === ALL ? ['--set', `config.watchNamespaces={${release},${other}}`] : [])]);
    const result = await kubectl(['apply', '--dry-run=server', '-f', '-'], { input: rendered.stdout });
    expect(result.stdout).toMatch(/deployment\.apps\/\S+ created \(server dry run\)/);
    expect(result.stderr).not.toMatch(/PodSecurity|Warning/);
    expect(result.stdout.trim().split('\n')).toHaveLength(rendered.stdout.split('\n').filter((l) => /^kind: /.test(l)).length);
  });
});
