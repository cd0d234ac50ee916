import { describe, expect, it } from 'vitest';
import { median, percentile, repeat } from './stats.ts';

describe('stats', () => {
  it('takes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(median([3, 1, 2])).toBe(2);
    expect(() => percentile([], 50)).toThrow(/no values/);
  });

  it('repeats after warm-ups and returns the median run', async () => {
    const seen: number[] = [];
    const rates = [10, 30, 20];
    const result = await repeat({ runs: 3, warmups: 1, key: (r: { rate: number }) => r.rate }, (i) => {
      seen.push(i);
      return Promise.resolve({ rate: i < 0 ? 999 : (rates[i] as number) });
    });
    expect(seen).toEqual([-1, 0, 1, 2]);
    expect(result.runs.map((r) => r.rate)).toEqual([10, 30, 20]);
    expect(result.median.rate).toBe(20);
  });
});
