import { describe, expect, it } from 'vitest';
import { accountLockSeconds, secondsLeft } from './throttle.ts';

describe('sign-in throttling', () => {
  it('locks an account from the threshold on, doubling up to 15 minutes', () => {
    expect([4, 5, 6, 7, 10, 30].map((n) => accountLockSeconds(n, 5))).toEqual([0, 30, 60, 120, 900, 900]);
  });

  it('counts down from the last failure', () => {
    const since = new Date('2026-01-01T00:00:00Z');
    expect(secondsLeft(since, 30, new Date('2026-01-01T00:00:10Z'))).toBe(20);
    expect(secondsLeft(since, 30, new Date('2026-01-01T00:01:00Z'))).toBe(0);
  });
});
