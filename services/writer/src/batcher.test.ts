import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher.ts';

function recorder(delayMs = 0) {
  const batches: number[][] = [];
  const flush = async (batch: number[]) => {
    batches.push(batch);
    if (delayMs > 0) await sleep(delayMs);
  };
  return { batches, flush };
}

describe('Batcher', () => {
  it('sends a full batch at once', async () => {
    const { batches, flush } = recorder();
    const batcher = new Batcher({ maxItems: 3, maxBytes: 1e9, maxWaitMs: 10_000 }, flush);
    for (const i of [1, 2, 3]) await batcher.add(i, 1);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('sends a partial batch after the wait', async () => {
    const { batches, flush } = recorder();
    const batcher = new Batcher({ maxItems: 100, maxBytes: 1e9, maxWaitMs: 20 }, flush);
    await batcher.add(1, 1);
    expect(batches).toEqual([]);
    await sleep(60);
    expect(batches).toEqual([[1]]);
  });

  it('closes a batch on bytes as well as on count', async () => {
    const { batches, flush } = recorder();
    const batcher = new Batcher({ maxItems: 100, maxBytes: 10, maxWaitMs: 10_000 }, flush);
    await batcher.add(1, 6);
    await batcher.add(2, 6);
    expect(batches).toEqual([[1, 2]]);
  });

  it('makes the caller wait while the next batch is full and the last one is still flushing', async () => {
    const { batches, flush } = recorder(50);
    const batcher = new Batcher({ maxItems: 2, maxBytes: 1e9, maxWaitMs: 10_000 }, flush);
    const started = Date.now();
    for (const i of [1, 2, 3, 4, 5]) await batcher.add(i, 1);
    // 1,2 flushing; 3,4 fill the next batch; adding 5 must wait for the first flush.
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    await batcher.close();
    expect(batches.flat()).toEqual([1, 2, 3, 4, 5]);
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(2);
  });

  it('flushes everything on close and never runs two flushes at once', async () => {
    let running = 0;
    let maxRunning = 0;
    const seen: number[] = [];
    const batcher = new Batcher<number>({ maxItems: 4, maxBytes: 1e9, maxWaitMs: 1 }, async (batch) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await sleep(5);
      seen.push(...batch);
      running--;
    });
    for (let i = 0; i < 50; i++) {
      await batcher.add(i, 1);
      if (i % 7 === 0) await sleep(2);
    }
    await batcher.close();
    expect(seen).toEqual([...Array(50).keys()]);
    expect(maxRunning).toBe(1);
  });
});
