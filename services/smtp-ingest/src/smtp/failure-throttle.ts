/**
 * Counts failures per key (a client IP, an account) in a sliding window; past the limit the key is
 * throttled until its oldest failure leaves the window. Bounded: the oldest keys go first.
 */
export class FailureThrottle {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #failures = new Map<string, number[]>();

  constructor(limit: number, windowMs: number) {
    this.#limit = limit;
    this.#windowMs = windowMs;
  }

  isThrottled(key: string, now = Date.now()): boolean {
    return this.#recent(key, now).length >= this.#limit;
  }

  fail(key: string, now = Date.now()): void {
    const recent = this.#recent(key, now);
    recent.push(now);
    this.#failures.delete(key); // re-insert: Map order is then oldest-touched first
    this.#failures.set(key, recent);
    if (this.#failures.size > 100_000) this.#failures.delete(this.#failures.keys().next().value as string);
  }

  #recent(key: string, now: number): number[] {
    return (this.#failures.get(key) ?? []).filter((at) => now - at < this.#windowMs);
  }
}
