import { describe, expect, it } from 'vitest';
import { isSubset } from './subset.ts';

describe('isSubset', () => {
  it('ignores what only the live object has (defaults, status, other managers)', () => {
    expect(isSubset({ spec: { replicas: 2 } }, { spec: { replicas: 2, revisionHistoryLimit: 10 }, status: { ready: 1 } })).toBe(true);
  });
  it('sees a changed, missing or extra list element', () => {
    expect(isSubset({ a: [1, 2] }, { a: [1, 3] })).toBe(false);
    expect(isSubset({ a: [1, 2] }, { a: [1] })).toBe(false);
    expect(isSubset({ a: [1] }, { a: [1, 2] })).toBe(false);
    expect(isSubset({ a: [{ name: 'x', v: 1 }] }, { a: [{ name: 'x', v: 1, d: true }] })).toBe(true);
  });
  it('sees a changed scalar or a field that is gone', () => {
    expect(isSubset({ a: { b: 'x' } }, { a: { b: 'y' } })).toBe(false);
    expect(isSubset({ a: { b: 'x' } }, { a: {} })).toBe(false);
    expect(isSubset({ a: 1 }, { a: '1' })).toBe(false);
  });
});
