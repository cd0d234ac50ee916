import { type CustomObjectsApi, type KubernetesObjectApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { type Logger, parseShardMap } from '@mailcluster/common';
import type { ConditionUpdate } from '../api/v1alpha1/conditions.ts';
import { API_VERSION, GROUP, KIND, type MailCluster, PLURAL, VERSION, mailClusterSpecSchema } from '../api/v1alpha1/mailcluster.ts';
import type { Images } from '../images.ts';
import type { OperatorMetrics } from '../metrics.ts';
import { applyObject, createIfAbsent } from '../runtime/apply.ts';
import { boundedMap } from '../runtime/bounded-map.ts';
import type { EventRecorder } from '../runtime/events.ts';
import { describeError, httpStatus, isNotFound } from '../runtime/kube-errors.ts';
import { isSubset } from '../runtime/subset.ts';
import type { ReconcileResult } from '../runtime/work-queue.ts';
import { type BuildContext, buildContext } from '../specs/context.ts';
import { desiredObjects } from '../specs/desired-state.ts';
import { objectNames } from '../specs/names.ts';
import { generatedSecrets } from '../specs/secrets.ts';
import { SHARD_MAP_KEY } from '../specs/service-pod.ts';
import type { ClusterCaches } from './cluster-caches.ts';
import { type Plan, planCluster } from './cluster-plan.ts';
import { computeStatus, workloadsOf } from './cluster-status.ts';
import { growClaims } from './cluster-volumes.ts';
import { keepImmutableFields } from './immutable-fields.ts';
import { OWNED_KINDS, type OwnedKind } from './owned-kinds.ts';

export interface ControllerDeps {
  caches: ClusterCaches;
  objects: KubernetesObjectApi;
  customObjects: CustomObjectsApi;
  events: EventRecorder;
  images: Images;
  metrics: OperatorMetrics;
  log: Logger;
}

/** Status codes worth retrying quietly: conflicts and an API server that is busy or restarting. */
const TRANSIENT = new Set([409, 429, 500, 502, 503, 504]);

/**
 * Requests one reconcile has in flight at once. A cluster is ~28 objects with no order between
 * them (pods wait for their ConfigMaps and Secrets), and one after another they cost 28 round
 * trips; the API server's priority and fairness keeps a burst of 8 from one client in check.
 */
const REQUESTS_IN_FLIGHT = 8;

/**
 * Reconciles one MailCluster, level-triggered: from whatever state it finds, it computes the plan,
 * makes sure the generated secrets exist, applies every object that differs from what it should
 * be, deletes owned objects no longer wanted, and writes the status. Each step reads the caches
 * and writes only when something differs. An error aborts the pass; the work queue retries it
 * with back-off.
 */
export class ClusterController {
  readonly #d: ControllerDeps;

  constructor(deps: ControllerDeps) {
    this.#d = deps;
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const [namespace = '', name = ''] = key.split('/');
    const raw = this.#d.caches.cluster(namespace, name);
    if (raw === undefined || raw.metadata?.deletionTimestamp !== undefined) return undefined; // owner references clean up
    const parsed = mailClusterSpecSchema.safeParse(raw.spec);
    const cluster = { ...raw, apiVersion: API_VERSION, kind: KIND, spec: parsed.data } as MailCluster;
    if (!parsed.success) {
      this.#d.log.error({ cluster: key, problems: parsed.error.issues }, 'MailCluster spec does not parse; nothing applied');
      return undefined;
    }

    const names = objectNames(cluster);
    const plan = planCluster(cluster, this.#observe(cluster, names.db, names.shardMap));
    const ctx = buildContext(cluster, plan, this.#d.images);
    let problem: ConditionUpdate | undefined;
    if (!cluster.spec.paused) {
      try {
        await this.#ensureSecrets(ctx);
        await this.#applyAll(ctx, plan);
        await this.#prune(ctx, plan);
      } catch (error) {
        const status = httpStatus(error);
        if (status === undefined || TRANSIENT.has(status)) throw error; // retried with back-off, not a failure
        problem = { type: 'Degraded', status: 'True', reason: 'ApplyFailed', message: describeError(error).slice(0, 500) };
        await this.#d.events.record(cluster, 'Warning', 'ApplyFailed', problem.message);
      }
    }
    await this.#writeStatus(cluster, plan, problem);
    if (problem) throw new Error(problem.message);
    return undefined;
  }

  #observe(cluster: MailCluster, dbName: string, shardMapName: string) {
    const { namespace } = cluster.metadata;
    const db = this.#d.caches.get('StatefulSet', namespace, dbName) as { spec?: { replicas?: number } } | undefined;
    const shardMapData = (this.#d.caches.get('ConfigMap', namespace, shardMapName) as { data?: Record<string, string> } | undefined)?.data?.[SHARD_MAP_KEY];
    let shardMap;
    try {
      shardMap = shardMapData === undefined ? undefined : parseShardMap(shardMapData);
    } catch {
      shardMap = undefined; // an edited, unreadable map is replaced by the planned one
    }
    return { dbReplicas: db?.spec?.replicas ?? 0, shardMap };
  }

  /** Secrets are made once and never changed; a GET first, so a steady cluster sends no writes (and makes no keys). */
  async #ensureSecrets(ctx: BuildContext): Promise<void> {
    await boundedMap(generatedSecrets(ctx), REQUESTS_IN_FLIGHT, async (secret) => {
      try {
        await this.#d.objects.read({ apiVersion: 'v1', kind: 'Secret', metadata: { name: secret.name, namespace: ctx.cluster.metadata.namespace } });
        return;
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
      if (await createIfAbsent(this.#d.objects, secret.make())) {
        this.#d.metrics.writes.inc({ verb: 'create', kind: 'Secret' });
        await this.#d.events.record(ctx.cluster, 'Normal', 'Created', `created Secret ${secret.name}`);
      }
    });
  }

  async #applyAll(ctx: BuildContext, plan: Plan): Promise<void> {
    const { cluster } = ctx;
    const previousEpoch = this.#observe(cluster, ctx.names.db, ctx.names.shardMap).shardMap?.epoch;
    const outcomes = await boundedMap(desiredObjects(ctx, plan.shardMap), REQUESTS_IN_FLIGHT, async (desired) => {
      const live = this.#d.caches.get(desired.kind as OwnedKind, cluster.metadata.namespace, desired.metadata?.name ?? '');
      const outcome = await applyObject(this.#d.objects, keepImmutableFields(desired, live), live);
      if (outcome === 'unchanged') return undefined;
      this.#d.metrics.writes.inc({ verb: 'apply', kind: desired.kind ?? '' });
      return `${outcome} ${desired.kind} ${desired.metadata?.name}`;
    });
    const done = outcomes.filter((change) => change !== undefined);
    if (done.length > 0) {
      this.#d.log.info({ cluster: `${cluster.metadata.namespace}/${cluster.metadata.name}`, changes: done }, 'applied');
      await this.#d.events.record(cluster, 'Normal', 'Applied', done.join('; '));
    }
    await this.#growVolumes(ctx, plan);
    if (previousEpoch !== undefined && plan.shardMap.epoch !== previousEpoch) {
      await this.#d.events.record(cluster, 'Warning', 'ShardMapChanged',
        `shard map epoch ${previousEpoch} → ${plan.shardMap.epoch}: ${plan.movedPrefixes} prefixes moved onto new dbs; mail already stored for them stays on their old db (see docs/adr/0010)`);
    }
    if (plan.scaling.status === 'True' && cluster.status?.conditions?.find((c) => c.type === 'ScalingBlocked')?.status !== 'True') {
      await this.#d.events.record(cluster, 'Warning', 'ScalingBlocked', plan.scaling.message);
    }
  }

  /** Expands db and NATS volumes when the plan wants them bigger than they were made. */
  async #growVolumes(ctx: BuildContext, plan: Plan): Promise<void> {
    const { cluster, names } = ctx;
    const targets = [
      { set: names.db, replicas: plan.dbReplicas, size: plan.size.db.volume },
      { set: names.nats, replicas: plan.size.nats.replicas, size: plan.size.nats.storage },
    ];
    for (const target of targets) {
      try {
        const grown = await growClaims(this.#d.objects, cluster.metadata.namespace, target.set, 'data', target.replicas, target.size);
        for (const g of grown) {
          this.#d.metrics.writes.inc({ verb: 'patch', kind: 'PersistentVolumeClaim' });
          await this.#d.events.record(cluster, 'Normal', 'VolumeExpanded', `${g.claim}: ${g.from} → ${g.to}`);
        }
      } catch (error) {
        if (httpStatus(error) === undefined || TRANSIENT.has(httpStatus(error) ?? 0)) throw error;
        // A storage class without allowVolumeExpansion: the volumes stay as they are; say so.
        await this.#d.events.record(cluster, 'Warning', 'VolumeExpansionFailed', `${target.set} volumes should be ${target.size}: ${describeError(error)}`);
      }
    }
  }

  /** Deletes owned objects the plan no longer wants (an Ingress without a host, NATS when external). */
  async #prune(ctx: BuildContext, plan: Plan): Promise<void> {
    const { cluster } = ctx;
    const wanted = new Set(desiredObjects(ctx, plan.shardMap).map((o) => `${o.kind}/${o.metadata?.name}`));
    for (const { kind } of OWNED_KINDS) {
      for (const live of this.#d.caches.ownedBy(kind, cluster.metadata.namespace, cluster.metadata.name, cluster.metadata.uid)) {
        if (wanted.has(`${kind}/${live.metadata?.name}`)) continue;
        await this.#d.objects.delete({ apiVersion: OWNED_KINDS.find((k) => k.kind === kind)?.apiVersion ?? 'v1', kind, metadata: live.metadata ?? {} });
        this.#d.metrics.writes.inc({ verb: 'delete', kind });
        await this.#d.events.record(cluster, 'Normal', 'Deleted', `deleted ${kind} ${live.metadata?.name}: no longer part of the spec`);
      }
    }
  }

  async #writeStatus(cluster: MailCluster, plan: Plan, problem: ConditionUpdate | undefined): Promise<void> {
    const names = objectNames(cluster);
    const { namespace, name } = cluster.metadata;
    const workloads = workloadsOf((kind, n) => this.#d.caches.get(kind, namespace, n), names);
    const status = computeStatus(cluster, plan, workloads, names.shardMap, problem, new Date());
    // Key order differs between what we build and what the API server returns: compare both ways.
    const current = cluster.status ?? {};
    if (isSubset(status, current) && isSubset(current, JSON.parse(JSON.stringify(status)))) return;
    await this.#d.customObjects.patchNamespacedCustomObjectStatus(
      { group: GROUP, version: VERSION, namespace, plural: PLURAL, name, body: { status } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    this.#d.metrics.writes.inc({ verb: 'patch', kind: 'MailCluster/status' });
  }
}
