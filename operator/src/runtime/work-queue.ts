import type { Logger } from '@mailcluster/common';

export type ReconcileResult = { requeueAfterMs?: number } | undefined;

export interface WorkQueueOptions {
  concurrency: number;
  log: Logger;
  /** First retry after an error; doubles up to maxBackoffMs while the key keeps failing. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  onResult?: (key: string, outcome: 'success' | 'error', seconds: number) => void;
}

/**
 * One work item per key (a MailCluster's namespace/name): adding a key that is already waiting
 * does nothing, a key being processed is processed once more afterwards, and no key is ever
 * processed by two workers at once. Failures retry with per-key exponential back-off, so a
 * conflict or an unavailable API server never becomes a hot loop.
 */
export class WorkQueue {
  readonly #process: (key: string) => Promise<ReconcileResult>;
  readonly #options: Required<Omit<WorkQueueOptions, 'onResult'>> & Pick<WorkQueueOptions, 'onResult'>;
  readonly #ready: string[] = [];
  readonly #queued = new Set<string>();
  readonly #active = new Set<string>();
  readonly #dirty = new Set<string>();
  readonly #timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  readonly #failures = new Map<string, number>();
  #stopped = false;
  #idle: (() => void) | undefined;

  constructor(process: (key: string) => Promise<ReconcileResult>, options: WorkQueueOptions) {
    this.#process = process;
    this.#options = { baseBackoffMs: 1_000, maxBackoffMs: 300_000, ...options };
  }

  get depth(): number {
    return this.#ready.length;
  }

  /** Queues `key` now, or after `delayMs` (an earlier pending time wins). */
  add(key: string, delayMs = 0): void {
    if (this.#stopped) return;
    if (delayMs > 0) {
      const at = Date.now() + delayMs;
      const pending = this.#timers.get(key);
      if (pending && pending.at <= at) return;
      if (pending) clearTimeout(pending.timer);
      const timer = setTimeout(() => {
        this.#timers.delete(key);
        this.add(key);
      }, delayMs);
      timer.unref();
      this.#timers.set(key, { at, timer });
      return;
    }
    if (this.#active.has(key)) {
      this.#dirty.add(key);
      return;
    }
    if (this.#queued.has(key)) return;
    this.#queued.add(key);
    this.#ready.push(key);
    this.#pump();
  }

  /** Stops taking work; resolves when the items in progress are done. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const { timer } of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    if (this.#active.size > 0) await new Promise<void>((resolve) => (this.#idle = resolve));
  }

  #pump(): void {
    while (!this.#stopped && this.#active.size < this.#options.concurrency) {
      const key = this.#ready.shift();
      if (key === undefined) return;
      this.#queued.delete(key);
      this.#active.add(key);
      void this.#run(key);
    }
  }

  async #run(key: string): Promise<void> {
    const started = performance.now();
    let retryInMs: number | undefined;
    try {
      const result = await this.#process(key);
      this.#failures.delete(key);
      retryInMs = result?.requeueAfterMs;
      this.#options.onResult?.(key, 'success', (performance.now() - started) / 1000);
    } catch (error) {
      const failures = (this.#failures.get(key) ?? 0) + 1;
      this.#failures.set(key, failures);
      retryInMs = Math.min(this.#options.baseBackoffMs * 2 ** (failures - 1), this.#options.maxBackoffMs);
      this.#options.log.warn({ key, err: error, failures, retryInMs }, 'reconcile failed; will retry');
      this.#options.onResult?.(key, 'error', (performance.now() - started) / 1000);
    } finally {
      this.#active.delete(key);
      if (this.#dirty.delete(key)) this.add(key);
      else if (retryInMs !== undefined) this.add(key, retryInMs);
      if (this.#active.size === 0) this.#idle?.();
      this.#pump();
    }
  }
}
