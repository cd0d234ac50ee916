/** Small statistics for benchmark runs: the median of repeated runs and latency percentiles. */

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile (p in 0..100) of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

export interface Repeated<T> {
  runs: T[];
  /** The run whose `key` is the median of all runs (the middle one, not an average). */
  median: T;
}

/**
 * Runs `once` after `warmups` unmeasured runs, `runs` times, and picks the median run by `key`
 * (issue 9: the median of at least 3 runs after a warm-up).
 */
export async function repeat<T>(
  options: { runs: number; warmups: number; key: (run: T) => number; log?: (line: string) => void; label?: string },
  once: (index: number) => Promise<T>,
): Promise<Repeated<T>> {
  for (let i = 0; i < options.warmups; i++) {
    options.log?.(`${options.label ?? 'run'}: warm-up ${i + 1}/${options.warmups}`);
    await once(-1 - i);
  }
  const runs: T[] = [];
  for (let i = 0; i < options.runs; i++) {
    const result = await once(i);
    runs.push(result);
    options.log?.(`${options.label ?? 'run'}: ${i + 1}/${options.runs}: ${formatNumber(options.key(result))}`);
  }
  const byKey = [...runs].sort((a, b) => options.key(a) - options.key(b));
  return { runs, median: byKey[Math.floor((byKey.length - 1) / 2)] as T };
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}
