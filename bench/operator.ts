/**
 * Benchmark 5 of issue 9: the MailCluster operator on the test control plane (hack/testenv.sh,
 * kwok nodes), run from source as in the k8s tests: a ServiceAccount with every right in one
 * namespace, watching that namespace.
 * (a) `kubectl apply` of examples/mailcluster.yaml → every object it owns exists, and → Ready,
 *     each run in a fresh namespace with a fresh operator; the peer is `kubectl apply
 *     --server-side` of the same objects as raw manifests, rendered by the operator's own builders
 *     (the floor the operator adds to).
 * (b) API requests per minute at steady state (no changes), counted by the API server itself per
 *     verb (bench/lib/api-requests.ts), the leader Lease apart.
 * (c) the operator's RSS and V8 heap with N MailClusters reconciled and steady (N = 100; their
 *     pods run on kwok nodes the bench adds, tainted so nothing else lands there), against the
 *     same operator idle.
 * BENCH_CPU_PROF_DIR=<dir> runs the operator of (b)/(c) under `node --cpu-prof` and
 * prints where its time went.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, type KubeConfig, type KubernetesObject, type V1Node } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { API_VERSION, KIND, type MailCluster, type MailClusterStatus, PLURAL, mailClusterSpecSchema } from '../operator/src/api/v1alpha1/mailcluster.ts';
import { planCluster } from '../operator/src/controller/cluster-plan.ts';
import { OWNED_KINDS } from '../operator/src/controller/owned-kinds.ts';
import { DEFAULT_IMAGES } from '../operator/src/images.ts';
import { buildContext } from '../operator/src/specs/context.ts';
import { desiredObjects } from '../operator/src/specs/desired-state.ts';
import { generatedSecrets } from '../operator/src/specs/secrets.ts';
import { type NodeProcess, startNodeProcess } from '../test/support/node-process.ts';
import { ApiRequestCounter, READ_VERBS, type RequestCounts, type Verb, WRITE_VERBS, countsSince, sumVerbs } from './lib/api-requests.ts';
import type { BenchContext, Benchmark, Figure } from './lib/benchmark.ts';
import { profileArgs, profileDir, profileSummary } from './lib/cpu-profile.ts';
import { NamespaceWatch, adminKubeConfig, createNamespace, deleteNamespace, kubectl, objectKey, operatorIdentity, type OperatorIdentity, until } from './lib/kube.ts';
import { sampleSum } from './lib/prometheus.ts';
import { median, repeat } from './lib/stats.ts';

const EXAMPLE = 'examples/mailcluster.yaml';

interface Settings {
  runs: number;
  warmups: number;
  /** MailClusters for (b) and (c). */
  clusters: number;
  /** Quiet time after the last cluster is Ready, before the steady-state window opens. */
  settleMs: number;
  windowMs: number;
}

const FULL: Settings = { runs: 3, warmups: 1, clusters: 100, settleMs: 30_000, windowMs: 180_000 };
const QUICK: Settings = { runs: 1, warmups: 0, clusters: 5, settleMs: 5_000, windowMs: 20_000 };

const MAILCLUSTER_KIND = { kind: KIND, apiVersion: API_VERSION, plural: PLURAL };
const WATCHED_KINDS = [...OWNED_KINDS, { kind: 'Secret', apiVersion: 'v1', plural: 'secrets' }, MAILCLUSTER_KIND];

interface ExampleDoc {
  metadata: { name: string };
  spec: Record<string, unknown>;
}

/** What the operator makes of one MailCluster, rendered by its own builders (secrets included). */
function renderedObjects(doc: ExampleDoc, namespace: string): KubernetesObject[] {
  const cluster: MailCluster = { apiVersion: API_VERSION, kind: KIND, metadata: { name: doc.metadata.name, namespace, uid: '', generation: 1 }, spec: mailClusterSpecSchema.parse(doc.spec) };
  const plan = planCluster(cluster, { dbReplicas: 0, shardMap: undefined });
  const ctx = buildContext(cluster, plan, DEFAULT_IMAGES);
  return [...generatedSecrets(ctx).map((secret) => secret.make()), ...desiredObjects(ctx, plan.shardMap)];
}

const keysOf = (objects: readonly KubernetesObject[]) => objects.map((o) => objectKey(o.kind ?? '', o.metadata?.name ?? ''));

/** When the last of `keys` was first seen, once all have been. */
const allSeenAt = (watch: NamespaceWatch, keys: readonly string[]) => () =>
  keys.every((key) => watch.firstSeen.has(key)) ? Math.max(...keys.map((key) => watch.firstSeen.get(key) ?? 0)) : undefined;

function isReady(cluster: (KubernetesObject & { status?: MailClusterStatus }) | undefined): boolean {
  return cluster?.status?.observedGeneration === cluster?.metadata?.generation
    && cluster?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

// ---- the operator process ------------------------------------------------------------------------

interface Operator {
  process: NodeProcess;
  metrics(): Promise<string>;
}

const OPS_LISTENING = 'ops endpoint listening (/metrics /healthz /readyz)';

/** `profiled`: under BENCH_CPU_PROF_DIR's --cpu-prof, when it is set. */
async function startOperator(identity: OperatorIdentity, profiled = false): Promise<Operator> {
  const nodeOptions = profiled ? profileArgs().join(' ') : '';
  const process = await startNodeProcess('operator/src/main.ts', ['--kubeconfig', identity.kubeconfig], {
    MAILCLUSTER_WATCH_NAMESPACES: identity.namespace,
    MAILCLUSTER_LEASE_NAMESPACE: identity.namespace,
    MAILCLUSTER_IDENTITY: 'bench',
    MAILCLUSTER_OPS_LISTEN: '127.0.0.1:0',
    MAILCLUSTER_LOG_LEVEL: 'info',
    ...(nodeOptions === '' ? {} : { NODE_OPTIONS: nodeOptions }),
  }, 1);
  const url = `http://127.0.0.1:${process.ports[OPS_LISTENING]}/metrics`;
  const operator = { process, metrics: async () => (await fetch(url)).text() };
  await until('the operator to lead and fill its caches', 60_000, async () => {
    if (process.child.exitCode !== null) throw new Error(`the operator exited ${process.child.exitCode}: ${process.output().slice(-2000)}`);
    const ready = (await fetch(url.replace('/metrics', '/readyz'))).ok;
    return ready && sampleSum(await operator.metrics(), 'mailcluster_operator_leader') === 1 ? true : undefined;
  });
  return operator;
}

async function stopOperator(operator: Operator | undefined): Promise<void> {
  if (!operator || operator.process.child.exitCode !== null) return;
  operator.process.signal('SIGTERM');
  await operator.process.exited;
}

const MiB = 1024 * 1024;

interface MemorySample {
  rssMiB: number;
  heapMiB: number;
}

async function memory(operator: Operator): Promise<MemorySample> {
  const text = await operator.metrics();
  return { rssMiB: sampleSum(text, 'process_resident_memory_bytes') / MiB, heapMiB: sampleSum(text, 'nodejs_heap_size_used_bytes') / MiB };
}

// ---- (a) one MailCluster: apply → objects → Ready ------------------------------------------------

interface ApplyRun {
  objectsS: number;
  readyS: number;
  writes: number;
}

async function applyExample(kc: KubeConfig, example: ExampleDoc, log: (line: string) => void): Promise<ApplyRun> {
  const namespace = await createNamespace(kc, 'bench-op-apply');
  let operator: Operator | undefined;
  let watch: NamespaceWatch | undefined;
  try {
    operator = await startOperator(await operatorIdentity(kc, namespace));
    const expected = keysOf(renderedObjects(example, namespace));
    watch = await NamespaceWatch.start(kc, namespace, WATCHED_KINDS);
    const cluster = objectKey(KIND, example.metadata.name);
    const objectsAt = watch.until(`${expected.length} objects`, 60_000, allSeenAt(watch, expected));
    const readyAt = watch.until('Ready', 120_000, () => (isReady(watch?.latest.get(cluster)) ? performance.now() : undefined));
    const started = performance.now();
    await kubectl(['apply', '-n', namespace, '-f', EXAMPLE]);
    const run = { objectsS: ((await objectsAt) - started) / 1000, readyS: ((await readyAt) - started) / 1000, writes: sampleSum(await operator.metrics(), 'mailcluster_operator_writes_total') };
    log(`  ${namespace}: ${expected.length} objects in ${run.objectsS.toFixed(2)} s, Ready in ${run.readyS.toFixed(2)} s, ${run.writes} writes`);
    return run;
  } finally {
    watch?.stop();
    await stopOperator(operator);
    await deleteNamespace(kc, namespace, 180_000);
  }
}

/** The floor: the same objects as raw manifests (no owner), server-side applied by kubectl. */
async function applyRaw(kc: KubeConfig, example: ExampleDoc, log: (line: string) => void): Promise<number> {
  const namespace = await createNamespace(kc, 'bench-op-raw');
  let watch: NamespaceWatch | undefined;
  try {
    const objects = renderedObjects(example, namespace).map((o) => ({ ...o, metadata: { ...o.metadata, ownerReferences: undefined } }));
    const expected = keysOf(objects);
    watch = await NamespaceWatch.start(kc, namespace, WATCHED_KINDS);
    const objectsAt = watch.until(`${expected.length} objects`, 60_000, allSeenAt(watch, expected));
    const started = performance.now();
    await kubectl(['apply', '--server-side', '--field-manager=bench', '-n', namespace, '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
    const seconds = ((await objectsAt) - started) / 1000;
    log(`  ${namespace}: ${expected.length} objects in ${seconds.toFixed(2)} s`);
    return seconds;
  } finally {
    watch?.stop();
    await deleteNamespace(kc, namespace, 180_000);
  }
}

// ---- (b) and (c): N MailClusters, steady --------------------------------------------------------

const BENCH_NODE_LABEL = 'mailcluster.dev/bench-node';

/** kwok nodes for the N clusters' pods (the three shared ones hold 750 pods; N = 100 makes 1,300). */
function benchNodes(): V1Node[] {
  return ['a', 'b', 'c'].map((zone) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: `bench-op-node-${zone}`,
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        [BENCH_NODE_LABEL]: 'operator',
        'kubernetes.io/hostname': `bench-op-node-${zone}`,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'topology.kubernetes.io/zone': `bench-${zone}`,
        type: 'kwok',
      },
    },
    spec: { taints: [{ key: BENCH_NODE_LABEL, value: 'operator', effect: 'NoSchedule' }] },
    status: {
      allocatable: { cpu: '1000', memory: '4Ti', pods: '1000', 'ephemeral-storage': '10Ti' },
      capacity: { cpu: '1000', memory: '4Ti', pods: '1000', 'ephemeral-storage': '10Ti' },
      nodeInfo: { architecture: 'amd64', operatingSystem: 'linux', bootID: '', containerRuntimeVersion: '', kernelVersion: '', kubeProxyVersion: '', kubeletVersion: '', machineID: '', osImage: '', systemUUID: '' },
    },
  }));
}

async function addBenchNodes(kc: KubeConfig): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  for (const body of benchNodes()) await core.createNode({ body });
  await until('the bench kwok nodes to be Ready', 60_000, async () => {
    const nodes = (await core.listNode({ labelSelector: `${BENCH_NODE_LABEL}=operator` })).items;
    return nodes.length === 3 && nodes.every((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) ? true : undefined;
  });
}

async function removeBenchNodes(kc: KubeConfig): Promise<void> {
  await kc.makeApiClient(CoreV1Api).deleteCollectionNode({ labelSelector: `${BENCH_NODE_LABEL}=operator` });
}

/** The example as cluster `name`, its pods on the bench nodes. */
function loadCluster(example: ExampleDoc, name: string): ExampleDoc {
  const placement = { nodeSelector: { [BENCH_NODE_LABEL]: 'operator' }, tolerations: [{ key: BENCH_NODE_LABEL, operator: 'Exists', effect: 'NoSchedule' }] };
  const spec = { ...example.spec };
  for (const tier of ['web', 'smtp', 'db', 'writer', 'nats', 'outbound']) spec[tier] = { ...(spec[tier] as Record<string, unknown> | undefined), placement };
  return { ...example, metadata: { name }, spec };
}

interface LoadResult {
  objectsS: number;
  readyS: number;
  objects: number;
  idle: MemorySample;
  steady: MemorySample[];
  requests: RequestCounts;
  windowMinutes: number;
  reconciles: number;
  operatorWrites: number;
  cpuSeconds: number;
}

export async function steadyLoad(kc: KubeConfig, example: ExampleDoc, s: Settings, ctx: BenchContext): Promise<LoadResult> {
  const log = ctx.log.bind(ctx);
  const dir = profileDir();
  if (dir !== undefined) mkdirSync(dir, { recursive: true });
  await addBenchNodes(kc);
  let namespace: string | undefined;
  let counter: ApiRequestCounter | undefined;
  let operator: Operator | undefined;
  let watch: NamespaceWatch | undefined;
  try {
    namespace = await createNamespace(kc, 'bench-op-load');
    const identity = await operatorIdentity(kc, namespace);
    counter = await ApiRequestCounter.install(kc, namespace, identity);
    operator = await startOperator(identity, true);
    await sleep(5_000);
    const idle = await memory(operator);
    log(`idle operator (0 MailClusters): RSS ${idle.rssMiB.toFixed(1)} MiB, heap ${idle.heapMiB.toFixed(1)} MiB`);

    const docs = Array.from({ length: s.clusters }, (_, i) => loadCluster(example, `mail-${String(i + 1).padStart(3, '0')}`));
    const expected = docs.flatMap((doc) => keysOf(renderedObjects(doc, namespace ?? '')));
    const clusterKeys = docs.map((doc) => objectKey(KIND, doc.metadata.name));
    watch = await NamespaceWatch.start(kc, namespace, WATCHED_KINDS);
    const readyCount = () => clusterKeys.filter((key) => isReady(watch?.latest.get(key))).length;
    const objectsAt = watch.until(`${expected.length} objects`, 15 * 60_000, allSeenAt(watch, expected));
    const readyAt = watch.until(`${s.clusters} MailClusters Ready`, 20 * 60_000, () => (readyCount() === s.clusters ? performance.now() : undefined));
    const started = performance.now();
    const progress = setInterval(() => log(`  ${((performance.now() - started) / 1000).toFixed(0)} s: ${watch?.firstSeen.size ?? 0} objects seen, ${readyCount()}/${s.clusters} Ready`), 15_000);
    let objectsS: number;
    let readyS: number;
    try {
      await kubectl(['apply', '-n', namespace, '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: docs.map((doc) => ({ apiVersion: API_VERSION, kind: KIND, ...doc })) }));
      objectsS = ((await objectsAt) - started) / 1000;
      readyS = ((await readyAt) - started) / 1000;
    } finally {
      clearInterval(progress);
    }
    log(`${s.clusters} MailClusters: ${expected.length} objects in ${objectsS.toFixed(1)} s, all Ready in ${readyS.toFixed(1)} s; settling ${s.settleMs / 1000} s`);
    await sleep(s.settleMs);

    const before = { requests: await counter.snapshot(), metrics: await operator.metrics() };
    const steady: MemorySample[] = [];
    const windowStarted = performance.now();
    while (performance.now() - windowStarted < s.windowMs) {
      steady.push(await memory(operator));
      await sleep(Math.min(5_000, Math.max(0, s.windowMs - (performance.now() - windowStarted))));
    }
    const after = { requests: await counter.snapshot(), metrics: await operator.metrics() };
    const windowMinutes = (performance.now() - windowStarted) / 60_000;
    const delta = (name: string) => sampleSum(after.metrics, name) - sampleSum(before.metrics, name);
    if (after.requests.lease.update === before.requests.lease.update) throw new Error('the API server counted no Lease renewal by the operator in the window: the FlowSchema counting does not work');
    return {
      objectsS,
      readyS,
      objects: expected.length,
      idle,
      steady,
      requests: countsSince(after.requests, before.requests),
      windowMinutes,
      reconciles: delta('mailcluster_operator_reconciles_total'),
      operatorWrites: delta('mailcluster_operator_writes_total'),
      cpuSeconds: delta('process_cpu_seconds_total'),
    };
  } finally {
    watch?.stop();
    await stopOperator(operator);
    for (const line of profileSummary(ctx.repo)) ctx.log(line);
    await counter?.remove();
    if (namespace !== undefined) {
      log(`deleting ${namespace}`);
      await deleteNamespace(kc, namespace, 15 * 60_000);
    }
    await removeBenchNodes(kc);
  }
}

// ---- the benchmark --------------------------------------------------------------------------------

const perMinute = (count: number, minutes: number) => count / minutes;

function verbsText(counts: Record<Verb, number>, verbs: readonly Verb[], minutes: number): string {
  return verbs.filter((verb) => counts[verb] > 0).map((verb) => `${verb} ${perMinute(counts[verb], minutes).toFixed(1)}`).join(', ') || 'none';
}

async function run(ctx: BenchContext): Promise<Figure[]> {
  const s = ctx.quick ? QUICK : FULL;
  const log = ctx.log.bind(ctx);
  const kc = adminKubeConfig();
  const example = parseYaml(readFileSync(join(ctx.repo, EXAMPLE), 'utf8')) as ExampleDoc;
  const objectCount = renderedObjects(example, 'x').length;
  log(`inputs: ${EXAMPLE} (${objectCount} objects incl. 3 generated Secrets); ${s.runs} run(s) after ${s.warmups} warm-up(s), each in a fresh namespace with a fresh operator; ` +
    `${s.clusters} MailClusters for the steady state, a ${s.windowMs / 1000} s window after ${s.settleMs / 1000} s of quiet`);

  log('(a) operator: kubectl apply → all objects → Ready');
  const ours = await repeat({ runs: s.runs, warmups: s.warmups, key: (r: ApplyRun) => r.objectsS, log, label: 'apply → objects (s)' }, () => applyExample(kc, example, log));
  log('(a) peer: kubectl apply --server-side of the same objects as raw manifests');
  const raw = await repeat({ runs: s.runs, warmups: s.warmups, key: (r: number) => r, log, label: 'raw apply (s)' }, () => applyRaw(kc, example, log));

  log(`(b)+(c) ${s.clusters} MailClusters, steady state`);
  const load = await steadyLoad(kc, example, s, ctx);
  const minutes = load.windowMinutes;
  const { resources, lease } = load.requests;
  const steadyRss = median(load.steady.map((m) => m.rssMiB));
  const steadyHeap = median(load.steady.map((m) => m.heapMiB));
  log(`steady window ${(minutes * 60).toFixed(0)} s: operator ${load.reconciles} reconciles, ${load.operatorWrites} writes (its own count), ` +
    `CPU ${((load.cpuSeconds / (minutes * 60)) * 100).toFixed(2)} %; API server counted: ${JSON.stringify(load.requests)}`);

  const readyRuns = ours.runs.map((r) => r.readyS);
  return [
    {
      name: `apply → all ${objectCount} objects (1 MailCluster)`,
      value: ours.median.objectsS,
      unit: 's',
      peer: { name: 'kubectl apply --server-side, raw', value: raw.median },
      goal: { on: 'value', at: 'most', target: 2 },
      note: `median of ${s.runs}; runs ${ours.runs.map((r) => r.objectsS.toFixed(2)).join(', ')} s; peer runs ${raw.runs.map((r) => r.toFixed(2)).join(', ')} s; the operator sent ${ours.median.writes} writes`,
    },
    {
      name: 'apply → Ready under kwok (1 MailCluster)',
      value: median(readyRuns),
      unit: 's',
      note: `runs ${readyRuns.map((r) => r.toFixed(2)).join(', ')} s; kwok makes a scheduled pod Running and Ready at once, so this is the operator plus the StatefulSet/Deployment controllers, the scheduler and PVC binding`,
    },
    {
      name: `${s.clusters} MailClusters: apply → all ${load.objects} objects`,
      value: load.objectsS,
      unit: 's',
      note: `${(load.objects / load.objectsS).toFixed(0)} objects/s; all Ready after ${load.readyS.toFixed(1)} s`,
    },
    {
      name: `steady state, ${s.clusters} MailClusters: writes/min (leader Lease apart)`,
      value: perMinute(sumVerbs(resources, WRITE_VERBS), minutes),
      unit: 'requests/min',
      goal: { on: 'value', at: 'most', target: 0 },
      note: `by verb: ${verbsText(resources, WRITE_VERBS, minutes)} (patch = server-side apply or merge patch); ${load.reconciles} reconciles in the ${(minutes * 60).toFixed(0)} s window`,
    },
    {
      name: `steady state, ${s.clusters} MailClusters: reads/min (leader Lease apart)`,
      value: perMinute(sumVerbs(resources, READ_VERBS), minutes),
      unit: 'requests/min',
      note: `by verb: ${verbsText(resources, READ_VERBS, minutes)}; a watch counts once, when it is opened`,
    },
    {
      name: 'steady state: leader Lease requests/min',
      value: perMinute(sumVerbs(lease, [...READ_VERBS, ...WRITE_VERBS]), minutes),
      unit: 'requests/min',
      note: `by verb: ${verbsText(lease, [...READ_VERBS, ...WRITE_VERBS], minutes)}; the leader renews its Lease every 2 s`,
    },
    {
      name: `operator RSS, ${s.clusters} MailClusters steady`,
      value: steadyRss,
      unit: 'MiB',
      peer: { name: 'idle, 0 MailClusters', value: load.idle.rssMiB },
      note: `median of ${load.steady.length} samples, max ${Math.max(...load.steady.map((m) => m.rssMiB)).toFixed(1)} MiB`,
    },
    {
      name: `operator V8 heap used, ${s.clusters} MailClusters steady`,
      value: steadyHeap,
      unit: 'MiB',
      peer: { name: 'idle, 0 MailClusters', value: load.idle.heapMiB },
      note: `${(((steadyHeap - load.idle.heapMiB) * 1024) / s.clusters).toFixed(0)} KiB per MailCluster`,
    },
  ];
}

export const operatorBenchmark: Benchmark = {
  name: 'operator',
  title: 'MailCluster operator: apply → objects → Ready, API requests at steady state, memory at 100 MailClusters',
  run,
};
