import { describe, expect, it } from 'vitest';
import { Progress } from './progress.ts';

describe('progress display', () => {
  it('writes whole lines with the share, counts, rate and ETA when not on a terminal', () => {
    const lines: string[] = [];
    const progress = new Progress('import', 1000, { isTTY: false, write: (text: string) => lines.push(text) });
    progress.update(250, 250, '240 created');
    progress.update(500, 500, 'too soon: skipped');
    progress.finish('done: 1,000 lines');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^import: 25% · 250 · 240 created · [\d,]+\/s · ETA \d+s\n$/);
    expect(lines[1]).toBe('import: done: 1,000 lines\n');
  });

  it('redraws one line with a bar on a terminal', () => {
    const out: string[] = [];
    const progress = new Progress('import', 100, { isTTY: true, write: (text: string) => out.push(text) });
    progress.update(50, 50, 'x');
    expect(out[0]?.startsWith('\r\u001b[K')).toBe(true);
    expect(out[0]?.slice(4)).toMatch(/^import: \[#{12}-{12}\] 50% · 50 · x · /);
  });
});
