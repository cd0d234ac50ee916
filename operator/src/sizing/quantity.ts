/** Kubernetes resource quantities, as far as sizing needs them: bytes in, whole Gi out. */
const SUFFIX: Record<string, number> = {
  '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
  m: 1e-3,
};

export function parseQuantity(value: string | number): number {
  if (typeof value === 'number') return value;
  const match = /^([0-9.]+(?:[eE][-+]?[0-9]+)?)([a-zA-Z]*)$/.exec(value.trim());
  const factor = match ? SUFFIX[match[2] ?? ''] : undefined;
  if (!match || factor === undefined) throw new RangeError(`not a quantity: ${JSON.stringify(value)}`);
  return Number(match[1]) * factor;
}

/** Bytes as a whole number of Gi, rounded up: what a PVC asks for. */
export function toGi(bytes: number): string {
  return `${Math.ceil(bytes / 2 ** 30)}Gi`;
}
