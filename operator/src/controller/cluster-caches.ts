import { type CustomObjectsApi, type KubeConfig, type KubernetesListObject, type KubernetesObject, type KubernetesObjectApi } from '@kubernetes/client-node';
import type { Logger } from '@mailcluster/common';
import { API_VERSION, GROUP, KIND, PLURAL, VERSION } from '../api/v1alpha1/mailcluster.ts';
import { ResilientInformer, type WatchEvent } from '../runtime/informer.ts';
import { LABEL_INSTANCE, LABEL_MANAGED_BY, MANAGED_BY } from '../specs/labels.ts';
import { OWNED_KINDS, type OwnedKind, resourcePath } from './owned-kinds.ts';

/** A MailCluster as it comes from the API server, before the operator parses its spec. */
export type RawMailCluster = KubernetesObject & { spec?: unknown; status?: Record<string, unknown> };

export interface CachesOptions {
  kc: KubeConfig;
  objects: KubernetesObjectApi;
  customObjects: CustomObjectsApi;
  /** Namespaces to watch; undefined: all of them. */
  namespaces: readonly string[] | undefined;
  log: Logger;
  relistIntervalMs: number;
  /** Called with `namespace/name` of a MailCluster whose state (or whose objects') changed. */
  enqueue: (key: string) => void;
  enqueueAll: () => void;
}

export const clusterKey = (namespace: string, name: string): string => `${namespace}/${name}`;

/**
 * The operator's view of the cluster: MailClusters and every object they own, each kept by a
 * ResilientInformer (one per kind and watched namespace). Reconciles read only from here, so a
 * steady cluster costs the API server watches, not requests.
 */
export class ClusterCaches {
  readonly #o: CachesOptions;
  readonly #clusters: ResilientInformer<RawMailCluster>[] = [];
  readonly #owned = new Map<OwnedKind, ResilientInformer<KubernetesObject>[]>();

  constructor(options: CachesOptions) {
    this.#o = options;
    const scopes = options.namespaces ?? [undefined];
    for (const namespace of scopes) {
      this.#clusters.push(this.#informer<RawMailCluster>('mailclusters', resourcePath(API_VERSION, PLURAL, namespace), () => this.#listClusters(namespace), undefined, (_event, object) => {
        options.enqueue(clusterKey(object.metadata?.namespace ?? '', object.metadata?.name ?? ''));
      }));
      for (const { kind, apiVersion, plural } of OWNED_KINDS) {
        const informer = this.#informer<KubernetesObject>(
          plural,
          resourcePath(apiVersion, plural, namespace),
          () => options.objects.list(apiVersion, kind, namespace, undefined, undefined, undefined, undefined, `${LABEL_MANAGED_BY}=${MANAGED_BY}`),
          `${LABEL_MANAGED_BY}=${MANAGED_BY}`,
          (_event, object) => this.#enqueueOwner(object),
        );
        this.#owned.set(kind, [...(this.#owned.get(kind) ?? []), informer]);
      }
    }
  }

  get synced(): boolean {
    return [...this.#clusters, ...[...this.#owned.values()].flat()].every((informer) => informer.synced);
  }

  async start(): Promise<void> {
    await Promise.all([...this.#clusters, ...[...this.#owned.values()].flat()].map((informer) => informer.start()));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#clusters, ...[...this.#owned.values()].flat()].map((informer) => informer.stop()));
  }

  cluster(namespace: string, name: string): RawMailCluster | undefined {
    return this.#find(this.#clusters, name, namespace);
  }

  clusterKeys(): string[] {
    return this.#clusters.flatMap((informer) => informer.list().map((c) => clusterKey(c.metadata?.namespace ?? '', c.metadata?.name ?? '')));
  }

  get(kind: OwnedKind, namespace: string, name: string): KubernetesObject | undefined {
    return this.#find(this.#owned.get(kind) ?? [], name, namespace);
  }

  /** Objects of a kind that carry a cluster's instance label and are owned by it (this incarnation). */
  ownedBy(kind: OwnedKind, namespace: string, name: string, uid: string): KubernetesObject[] {
    return (this.#owned.get(kind) ?? [])
      .flatMap((informer) => informer.list(namespace))
      .filter((o) => o.metadata?.labels?.[LABEL_INSTANCE] === name && o.metadata.ownerReferences?.some((ref) => ref.uid === uid));
  }

  #find<T extends KubernetesObject>(informers: readonly ResilientInformer<T>[], name: string, namespace: string): T | undefined {
    for (const informer of informers) {
      const found = informer.get(name, namespace);
      if (found) return found;
    }
    return undefined;
  }

  #informer<T extends KubernetesObject>(
    name: string,
    path: string,
    list: () => Promise<KubernetesListObject<T>>,
    labelSelector: string | undefined,
    onEvent: (event: WatchEvent, object: T) => void,
  ): ResilientInformer<T> {
    return new ResilientInformer<T>({
      kc: this.#o.kc,
      name,
      path,
      list,
      ...(labelSelector === undefined ? {} : { labelSelector }),
      log: this.#o.log,
      onEvent,
      onRelist: this.#o.enqueueAll,
      relistIntervalMs: this.#o.relistIntervalMs,
    });
  }

  async #listClusters(namespace: string | undefined): Promise<KubernetesListObject<RawMailCluster>> {
    const api = this.#o.customObjects;
    const list = (namespace === undefined
      ? await api.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL })
      : await api.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL })) as KubernetesListObject<RawMailCluster>;
    return { ...list, items: list.items.map((item) => ({ ...item, apiVersion: API_VERSION, kind: KIND })) };
  }

  #enqueueOwner(object: KubernetesObject): void {
    const owner = object.metadata?.ownerReferences?.find((ref) => ref.kind === KIND && ref.controller);
    if (owner && object.metadata?.namespace) this.#o.enqueue(clusterKey(object.metadata.namespace, owner.name));
  }
}
