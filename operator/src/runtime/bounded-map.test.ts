import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { boundedMap } from './bounded-map.ts';

describe('boundedMap', () => {
  it('keeps the input order and never runs more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const results = await boundedMap([30, 5, 20, 1, 10, 2], 3, async (ms) => {
      most = Math.max(most, ++running);
      await sleep(ms);
      running--;
      return ms * 2;
    });
    expect(results).toEqual([60, 10, 40, 2, 20, 4]);
    expect(most).toBe(3);
  });

  it('starts nothing after a failure, waits for what runs, then throws that failure', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const run = boundedMap([1, 2, 3, 4, 5], 2, async (n) => {
      started.push(n);
      if (n === 1) throw new Error('one failed');
      await sleep(20);
      finished.push(n);
      return n;
    });
    await expect(run).rejects.toThrow('one failed');
    expect(started).toEqual([1, 2]);
    expect(finished).toEqual([2]);
  });

  it('handles no items', async () => {
    expect(await boundedMap([], 4, () => Promise.resolve(1))).toEqual([]);
  });
});
