import { describe, expect, it } from 'vitest';
import { seededRandom, weightedSampler, zipfSizes, zipfWeights } from './zipf.ts';

describe('seededRandom', () => {
  it('repeats for a seed, differs between seeds, stays in [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const c = seededRandom(43);
    const fromA = Array.from({ length: 1000 }, a);
    expect(Array.from({ length: 1000 }, b)).toEqual(fromA);
    expect(Array.from({ length: 1000 }, c)).not.toEqual(fromA);
    expect(fromA.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = fromA.reduce((s, x) => s + x, 0) / fromA.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
  });
});

describe('zipfWeights', () => {
  it('falls as 1/r and adds up to 1', () => {
    const w = zipfWeights(1000);
    expect(w.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 10);
    expect(w[0]! / w[9]!).toBeCloseTo(10, 10);
    expect(w[0]! / w[99]!).toBeCloseTo(100, 10);
  });

  it('honours the exponent and refuses an empty range', () => {
    const w = zipfWeights(10, 2);
    expect(w[0]! / w[1]!).toBeCloseTo(4, 10);
    expect(() => zipfWeights(0)).toThrow(RangeError);
  });
});

describe('weightedSampler', () => {
  it('draws in proportion to the weights', () => {
    const draw = weightedSampler([1, 0, 3], seededRandom(7));
    const counts = [0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[draw()]!++;
    expect(counts[1]).toBe(0);
    expect(counts[2]! / counts[0]!).toBeGreaterThan(2.8);
    expect(counts[2]! / counts[0]!).toBeLessThan(3.2);
  });

  it('gives a Zipf mix: rank 1 about as often as ranks 2 and 3 together', () => {
    const draw = weightedSampler(zipfWeights(10_000), seededRandom(1));
    const counts = new Map<number, number>();
    for (let i = 0; i < 200_000; i++) {
      const k = draw();
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    const top = counts.get(0)!;
    // 1 / H(10⁴) ≈ 10.2 % of all draws.
    expect(top / 200_000).toBeGreaterThan(0.095);
    expect(top / 200_000).toBeLessThan(0.11);
    expect(top / (counts.get(1)! + counts.get(2)!)).toBeCloseTo(1 / (1 / 2 + 1 / 3), 0);
  });

  it('refuses weights that add up to nothing or are negative', () => {
    expect(() => weightedSampler([0, 0], Math.random)).toThrow(RangeError);
    expect(() => weightedSampler([1, -1], Math.random)).toThrow(RangeError);
  });
});

describe('zipfSizes', () => {
  it('sums to about the total, largest first, never below the floor', () => {
    const sizes = zipfSizes(1000, 100_000, { floor: 60 });
    expect(sizes[0]).toBeGreaterThan(10_000);
    expect(Math.min(...sizes)).toBe(60);
    expect(sizes.every((s, i) => i === 0 || s <= sizes[i - 1]!)).toBe(true);
    expect(zipfSizes(1000, 100_000).reduce((a, b) => a + b, 0)).toBeGreaterThan(99_000);
  });
});
