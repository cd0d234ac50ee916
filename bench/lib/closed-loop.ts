import { percentile } from './stats.ts';

export interface LoopResult {
  operations: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * `concurrency` workers each run `once` back to back for `seconds` (a closed loop, like autocannon's
 * connections): the rate and the latency percentiles of what finished. Any failure fails the run;
 * a benchmark that errors must not report a figure.
 */
export async function closedLoop(options: { concurrency: number; seconds: number }, once: (worker: number) => Promise<void>): Promise<LoopResult> {
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  await Promise.all(
    Array.from({ length: options.concurrency }, async (_, worker) => {
      while (performance.now() < deadline) {
        const t = performance.now();
        await once(worker);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    operations: latencies.length,
    seconds,
    perSecond: latencies.length / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}
