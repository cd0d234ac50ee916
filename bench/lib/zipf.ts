/**
 * Skewed mixes for the storage and web benchmarks, reproducible from a seed: which mailbox a
 * message goes to (Zipf: a few huge mailboxes like info@ and noreply@, a long tail of small ones)
 * and the random choices around it. The same seed gives both table layouts the same mail, in the
 * same order.
 */

/** mulberry32: a small, fast PRNG with a 32-bit state; uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Zipf weights of ranks 1..n: rank r weighs 1 / r^exponent, normalised to add up to 1. */
export function zipfWeights(n: number, exponent = 1): number[] {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`zipf over ${n} ranks`);
  const raw = Array.from({ length: n }, (_, i) => 1 / (i + 1) ** exponent);
  const total = raw.reduce((a, b) => a + b, 0);
  return raw.map((w) => w / total);
}

/**
 * Draws an index with probability proportional to its weight: a binary search in the cumulative
 * weights, O(log n) per draw, so 10⁶ draws over 10⁴ mailboxes take milliseconds.
 */
export function weightedSampler(weights: readonly number[], random: () => number): () => number {
  const cumulative: number[] = [];
  let sum = 0;
  for (const w of weights) {
    if (!(w >= 0)) throw new RangeError(`negative or NaN weight ${w}`);
    sum += w;
    cumulative.push(sum);
  }
  if (sum <= 0) throw new RangeError('weights add up to nothing');
  return () => {
    const target = random() * sum;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cumulative[mid] as number) > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}

/**
 * Mailbox sizes for `users` mailboxes holding about `total` messages by Zipf share, each at least
 * `floor` (a signed-in user's inbox shows a full page): rank 1 is the largest.
 */
export function zipfSizes(users: number, total: number, options: { exponent?: number; floor?: number } = {}): number[] {
  const floor = options.floor ?? 1;
  return zipfWeights(users, options.exponent).map((w) => Math.max(floor, Math.round(w * total)));
}
