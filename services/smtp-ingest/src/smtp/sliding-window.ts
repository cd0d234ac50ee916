/**
 * Counts events per key (a client IP, an account, a sender) in a sliding window: failed AUTHs,
 * recipients sent. Past the limit the key is over until its oldest event leaves the window.
 * Bounded: past 100,000 keys the least recently touched go first.
 */
export class SlidingWindow {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #events = new Map<string, number[]>();

  constructor(limit: number, windowMs: number) {
    this.#limit = limit;
    this.#windowMs = windowMs;
  }

  isOver(key: string, now = Date.now()): boolean {
    return this.#recent(key, now).length >= this.#limit;
  }

  add(key: string, now = Date.now()): void {
    const recent = this.#recent(key, now);
    recent.push(now);
    this.#events.delete(key); // re-insert: Map order is then least recently touched first
    this.#events.set(key, recent);
    if (this.#events.size > 100_000) this.#events.delete(this.#events.keys().next().value as string);
  }

  #recent(key: string, now: number): number[] {
    return (this.#events.get(key) ?? []).filter((at) => now - at < this.#windowMs);
  }
}
