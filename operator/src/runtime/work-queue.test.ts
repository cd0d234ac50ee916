import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '@mailcluster/common';
import { describe, expect, it } from 'vitest';
import { type ReconcileResult, WorkQueue } from './work-queue.ts';

const log = createLogger('test', 'silent');

describe('WorkQueue', () => {
  it('collapses repeated adds and never runs one key twice at once', async () => {
    const runs: string[] = [];
    let concurrent = 0;
    let maxConcurrent = 0;
    const queue = new WorkQueue(async (key) => {
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      runs.push(key);
      await sleep(20);
      concurrent--;
      return undefined;
    }, { concurrency: 4, log });
    for (let i = 0; i < 5; i++) queue.add('a');
    await sleep(5);
    queue.add('a'); // while running: once more afterwards
    await sleep(80);
    expect(runs).toEqual(['a', 'a']);
    expect(maxConcurrent).toBe(1);
    await queue.stop();
  });

  it('retries a failing key with growing back-off, and resets after success', async () => {
    const times: number[] = [];
    let calls = 0;
    const queue = new WorkQueue(() => {
      times.push(Date.now());
      return ++calls < 4 ? Promise.reject(new Error('409 conflict')) : Promise.resolve(undefined);
    }, { concurrency: 1, log, baseBackoffMs: 20, maxBackoffMs: 1_000 });
    queue.add('k');
    await sleep(300);
    expect(calls).toBe(4);
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
    expect(gaps[0]).toBeGreaterThanOrEqual(15);
    expect(gaps[2]).toBeGreaterThanOrEqual(70);
    await queue.stop();
  });

  it('requeues after the time a reconcile asks for', async () => {
    let calls = 0;
    const queue = new WorkQueue((): Promise<ReconcileResult> => {
      calls++;
      return Promise.resolve(calls === 1 ? { requeueAfterMs: 30 } : undefined);
    }, { concurrency: 1, log });
    queue.add('k');
    await sleep(10);
    expect(calls).toBe(1);
    await sleep(60);
    expect(calls).toBe(2);
    await queue.stop();
  });
});
