import { describe, expect, it } from 'vitest';
import { FailureThrottle } from './failure-throttle.ts';

describe('FailureThrottle', () => {
  it('throttles a key after the limit, within the window only', () => {
    const throttle = new FailureThrottle(3, 1_000);
    for (const at of [0, 100, 200]) {
      expect(throttle.isThrottled('ip', at)).toBe(false);
      throttle.fail('ip', at);
    }
    expect(throttle.isThrottled('ip', 300)).toBe(true);
    expect(throttle.isThrottled('other', 300)).toBe(false);
    expect(throttle.isThrottled('ip', 1_050)).toBe(false);
  });
});
