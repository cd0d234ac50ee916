export interface BatcherLimits {
  maxItems: number;
  maxBytes: number;
  /** How long the first item of a batch waits for more before the batch goes anyway. */
  maxWaitMs: number;
}

/**
 * Collects items into batches and hands each to `flush`, one batch at a time. `add` resolves once
 * the item is taken; it waits while the next batch is full and the previous one is still being
 * flushed, which is what stops the caller from pulling more work than it can store.
 * `flush` must not reject: it settles every item of its batch itself.
 */
export class Batcher<T> {
  readonly #limits: BatcherLimits;
  readonly #flush: (batch: T[]) => Promise<void>;
  #items: T[] = [];
  #bytes = 0;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  /** The current batch should go as soon as the flush in progress ends. */
  #due = false;

  constructor(limits: BatcherLimits, flush: (batch: T[]) => Promise<void>) {
    this.#limits = limits;
    this.#flush = flush;
  }

  async add(item: T, bytes: number): Promise<void> {
    while (this.#full() && this.#flushing) await this.#flushing;
    this.#items.push(item);
    this.#bytes += bytes;
    if (this.#full()) this.#send();
    else if (this.#items.length === 1) this.#timer = setTimeout(() => this.#send(), this.#limits.maxWaitMs);
  }

  /** Flushes what is held and waits for every flush to end. */
  async close(): Promise<void> {
    while (this.#flushing || this.#items.length > 0) {
      if (!this.#flushing) this.#send();
      await this.#flushing;
    }
  }

  #full(): boolean {
    return this.#items.length >= this.#limits.maxItems || this.#bytes >= this.#limits.maxBytes;
  }

  #send(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#flushing) {
      this.#due = true;
      return;
    }
    if (this.#items.length === 0) return;
    const batch = this.#items;
    this.#items = [];
    this.#bytes = 0;
    this.#due = false;
    this.#flushing = this.#flush(batch).finally(() => {
      this.#flushing = undefined;
      // Items that arrived meanwhile already have their timer; send now only if they are due.
      if (this.#due || this.#full()) this.#send();
    });
  }
}
