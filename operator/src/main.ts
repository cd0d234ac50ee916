import { parseArgs } from 'node:util';
import { CoordinationV1Api, CoreV1Api, CustomObjectsApi, KubernetesObjectApi } from '@kubernetes/client-node';
import { createMetricsRegistry, handleShutdown, startOpsServer, startService } from '@mailcluster/common';
import { operatorConfigSchema } from './config.ts';
import { ClusterCaches } from './controller/cluster-caches.ts';
import { ClusterController } from './controller/cluster-controller.ts';
import { DEFAULT_IMAGES } from './images.ts';
import { operatorMetrics } from './metrics.ts';
import { EventRecorder } from './runtime/events.ts';
import { PooledKubeConfig } from './runtime/kube-config.ts';
import { LeaderElector } from './runtime/leader-election.ts';
import { WorkQueue } from './runtime/work-queue.ts';

// `npm run operator -- --kubeconfig <file>`: the flag is another way to set MAILCLUSTER_KUBECONFIG.
const { values: flags } = parseArgs({ options: { kubeconfig: { type: 'string' } }, allowPositionals: false });
if (flags.kubeconfig !== undefined) process.env.MAILCLUSTER_KUBECONFIG = flags.kubeconfig;

const { config, log } = startService('operator', operatorConfigSchema);
const kc = new PooledKubeConfig();
if (config.kubeconfig === undefined) kc.loadFromCluster();
else kc.loadFromFile(config.kubeconfig);

const registry = createMetricsRegistry('operator');
const metrics = operatorMetrics(registry);
const objects = KubernetesObjectApi.makeApiClient(kc);
const customObjects = kc.makeApiClient(CustomObjectsApi);
const images = {
  web: config.imageWeb ?? DEFAULT_IMAGES.web,
  smtpIngest: config.imageSmtpIngest ?? DEFAULT_IMAGES.smtpIngest,
  writer: config.imageWriter ?? DEFAULT_IMAGES.writer,
  delivery: config.imageDelivery ?? DEFAULT_IMAGES.delivery,
  db: config.imageDb ?? DEFAULT_IMAGES.db,
  nats: config.imageNats ?? DEFAULT_IMAGES.nats,
};

// Decided before anything can reconcile: with leader election on, nothing acts until elected.
const elector = config.leaderElection
  ? new LeaderElector({
      api: kc.makeApiClient(CoordinationV1Api),
      namespace: config.leaseNamespace,
      name: config.leaseName,
      identity: config.identity,
      log,
      onStartedLeading: () => {
        metrics.leader.set(1);
        for (const key of caches.clusterKeys()) queue.add(key);
      },
      // Another replica may already act: stop at once, the pod restarts as a standby.
      onStoppedLeading: () => process.exit(1),
    })
  : undefined;
const isLeader = () => elector === undefined || elector.isLeader;

// Caches run on every replica (a standby takes over warm); only the leader reconciles.
const queue = new WorkQueue(
  async (key) => {
    if (!isLeader()) return undefined;
    return controller.reconcile(key);
  },
  {
    concurrency: config.concurrency,
    log,
    onResult: (_key, outcome, seconds) => {
      metrics.reconciles.inc({ result: outcome });
      metrics.reconcileSeconds.observe(seconds);
    },
  },
);
const caches = new ClusterCaches({
  kc,
  objects,
  customObjects,
  namespaces: config.watchNamespaces.length > 0 ? config.watchNamespaces : undefined,
  log,
  relistIntervalMs: config.relistIntervalMs,
  enqueue: (key) => queue.add(key),
  enqueueAll: () => {
    const keys = caches.clusterKeys();
    metrics.clusters.set(keys.length);
    for (const key of keys) queue.add(key);
  },
});
const controller = new ClusterController({
  caches,
  objects,
  customObjects,
  events: new EventRecorder(kc.makeApiClient(CoreV1Api), log, config.identity),
  images,
  metrics,
  log,
});

const ops = await startOpsServer({
  listen: config.opsListen,
  registry,
  log,
  readiness: {
    caches: () => {
      if (!caches.synced) throw new Error('caches not filled yet');
    },
  },
});
await caches.start();
log.info({ namespaces: config.watchNamespaces.length > 0 ? config.watchNamespaces : 'all' }, 'watching MailClusters');
const depthTimer = setInterval(() => metrics.queueDepth.set(queue.depth), 5_000);
depthTimer.unref();

if (elector) elector.start();
else metrics.leader.set(1);

handleShutdown({
  log,
  timeoutMs: 20_000,
  stop: async () => {
    ops.markDraining();
    await queue.stop();
    await elector?.stop();
    await caches.stop();
    await ops.close();
  },
});
