/** Counts open connections per client IP, so one client cannot take every session slot. */
export class ConnectionLimits {
  readonly #perIp = new Map<string, number>();
  readonly #maxPerIp: number;

  constructor(maxPerIp: number) {
    this.#maxPerIp = maxPerIp;
  }

  /** Takes a slot for `ip`; false when it already has the maximum. */
  acquire(ip: string): boolean {
    const open = this.#perIp.get(ip) ?? 0;
    if (open >= this.#maxPerIp) return false;
    this.#perIp.set(ip, open + 1);
    return true;
  }

  release(ip: string): void {
    const open = this.#perIp.get(ip) ?? 0;
    if (open <= 1) this.#perIp.delete(ip);
    else this.#perIp.set(ip, open - 1);
  }

  get total(): number {
    let sum = 0;
    for (const open of this.#perIp.values()) sum += open;
    return sum;
  }
}
