import { describe, expect, it } from 'vitest';
import { afterTemporaryFailure } from './retry-policy.ts';

const settings = { retryDelaysMs: [300_000, 600_000, 4_000_000], maxLifetimeMs: 5 * 86_400_000, warnAfterMs: 4 * 3_600_000 };

describe('afterTemporaryFailure', () => {
  it('waits longer after each attempt, then keeps the last delay', () => {
    expect([1, 2, 3, 4, 9].map((n) => afterTemporaryFailure(settings, n, 1_000, false))).toEqual([
      { kind: 'retry', delayMs: 300_000, warn: false },
      { kind: 'retry', delayMs: 600_000, warn: false },
      { kind: 'retry', delayMs: 4_000_000, warn: false },
      { kind: 'retry', delayMs: 4_000_000, warn: false },
      { kind: 'retry', delayMs: 4_000_000, warn: false },
    ]);
  });

  it('warns once after warnAfter, and never when it is 0', () => {
    expect(afterTemporaryFailure(settings, 5, 5 * 3_600_000, false)).toMatchObject({ warn: true });
    expect(afterTemporaryFailure(settings, 6, 6 * 3_600_000, true)).toMatchObject({ warn: false });
    expect(afterTemporaryFailure({ ...settings, warnAfterMs: 0 }, 5, 5 * 3_600_000, false)).toMatchObject({ warn: false });
  });

  it('gives up once the message is older than its lifetime', () => {
    expect(afterTemporaryFailure(settings, 40, 5 * 86_400_000, true)).toEqual({ kind: 'give-up' });
  });
});
