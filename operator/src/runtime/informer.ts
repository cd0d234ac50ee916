import { type KubeConfig, type KubernetesListObject, type KubernetesObject, ListWatch, Watch } from '@kubernetes/client-node';
import type { Logger } from '@mailcluster/common';
import { describeError } from './kube-errors.ts';

export type WatchEvent = 'add' | 'update' | 'delete';

export interface InformerOptions<T extends KubernetesObject> {
  kc: KubeConfig;
  /** What is watched, for logs and metrics: e.g. `statefulsets`. */
  name: string;
  /** Watch path, e.g. /apis/apps/v1/statefulsets or /apis/apps/v1/namespaces/x/statefulsets. */
  path: string;
  list: () => Promise<KubernetesListObject<T>>;
  labelSelector?: string;
  log: Logger;
  onEvent: (event: WatchEvent, object: T) => void;
  /** Called after a full relist (start, or the periodic one): events may have been missed. */
  onRelist: () => void;
  /** A full relist this often, whatever happens: the safety net under a watch that went quiet. */
  relistIntervalMs: number;
}

/**
 * A cache of one kind of object, kept by list + watch, that does not stop. client-node's ListWatch
 * relists on 410 Gone and reconnects when a watch ends, but after any other error it just stops
 * (the silent informer stall of kubernetes-client/javascript #596, #958); here an error restarts it
 * with back-off, and a periodic relist into a fresh cache bounds what a lost event can cost. The
 * old cache keeps serving reads until the new one is filled.
 */
export class ResilientInformer<T extends KubernetesObject> {
  readonly #options: InformerOptions<T>;
  #current: ListWatch<T> | undefined;
  #stopped = false;
  #errors = 0;
  #relistTimer: NodeJS.Timeout | undefined;
  #restartTimer: NodeJS.Timeout | undefined;
  #synced = false;

  constructor(options: InformerOptions<T>) {
    this.#options = options;
  }

  get synced(): boolean {
    return this.#synced;
  }

  get(name: string, namespace?: string): T | undefined {
    return this.#current?.get(name, namespace);
  }

  list(namespace?: string): readonly T[] {
    return this.#current?.list(namespace) ?? [];
  }

  /**
   * Lists and starts watching; resolves once the cache is filled. A list that fails (no rights
   * yet, the API server away) is retried with back-off: an empty cache is never taken for the truth.
   */
  async start(): Promise<void> {
    for (let delayMs = 500; ; delayMs = Math.min(delayMs * 2, 30_000)) {
      try {
        await this.#relist();
        break;
      } catch (error) {
        if (this.#stopped) return;
        this.#options.log.warn({ informer: this.#options.name, err: describeError(error), retryInMs: delayMs }, 'initial list failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
    this.#relistTimer = setInterval(() => {
      this.#relist().catch((error: unknown) => this.#options.log.warn({ informer: this.#options.name, err: describeError(error) }, 'periodic relist failed'));
    }, this.#options.relistIntervalMs);
    this.#relistTimer.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#relistTimer);
    clearTimeout(this.#restartTimer);
    await this.#current?.stop();
  }

  /** A fresh list into a new cache, swapped in only when the list succeeded; throws when it did not. */
  async #relist(): Promise<void> {
    const options = this.#options;
    let listError: unknown;
    let listed = false;
    const list = () => options.list().then(
      (result) => {
        listed = true;
        return result;
      },
      (error: unknown) => {
        listError = error;
        throw error;
      },
    );
    const next = new ListWatch<T>(options.path, new Watch(options.kc), list, false, options.labelSelector);
    for (const event of ['add', 'update', 'delete'] as const) {
      next.on(event, (object: T) => {
        if (this.#current === next) options.onEvent(event, object);
      });
    }
    next.on('error', (error: unknown) => this.#onError(next, error));
    next.on('connect', () => {
      if (this.#current === next) this.#errors = 0;
    });
    const previous = this.#current;
    await next.start();
    if (this.#stopped || !listed) {
      await next.stop();
      if (!listed && !this.#stopped) throw listError instanceof Error ? listError : new Error(`${options.name}: list did not complete: ${String(listError)}`);
      return;
    }
    this.#current = next;
    this.#synced = true;
    await previous?.stop();
    options.onRelist();
  }

  #onError(informer: ListWatch<T>, error: unknown): void {
    if (this.#stopped || informer !== this.#current) return;
    this.#errors += 1;
    const delayMs = Math.min(500 * 2 ** (this.#errors - 1), 30_000);
    this.#options.log.warn({ informer: this.#options.name, err: describeError(error), retryInMs: delayMs }, 'watch failed; restarting');
    clearTimeout(this.#restartTimer);
    this.#restartTimer = setTimeout(() => {
      if (this.#stopped || informer !== this.#current) return;
      informer.start().catch((startError: unknown) => this.#onError(informer, startError));
    }, delayMs);
    this.#restartTimer.unref();
  }
}
