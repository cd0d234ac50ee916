import { describe, expect, it } from 'vitest';
import { SlidingWindow } from './sliding-window.ts';

describe('SlidingWindow', () => {
  it('puts a key over the limit within the window only', () => {
    const window = new SlidingWindow(3, 1_000);
    for (const at of [0, 100, 200]) {
      expect(window.isOver('ip', at)).toBe(false);
      window.add('ip', at);
    }
    expect(window.isOver('ip', 300)).toBe(true);
    expect(window.isOver('other', 300)).toBe(false);
    expect(window.isOver('ip', 1_050)).toBe(false);
  });
});
