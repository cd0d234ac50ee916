import { describe, expect, it } from 'vitest';
import { formatMarkdown, formatTable, summaryRows } from './report.ts';

describe('benchmark summary', () => {
  const rows = summaryRows([
    {
      benchmark: 'smtp-accept',
      figures: [
        { name: 'accept, 5 KB', value: 1500, unit: 'msgs/s', peer: { name: 'Postfix', value: 1000 }, goal: { on: 'ratio', at: 'least', target: 1 } },
        { name: 'p99', value: 300, unit: 'ms', goal: { on: 'value', at: 'most', target: 250 } },
        { name: 'no goal', value: 2.5, unit: 's' },
      ],
    },
    { benchmark: 'web', figures: [], error: 'stack not up' },
  ]);

  it('computes ratios and says whether each goal was met', () => {
    expect(rows.slice(1)).toEqual([
      ['smtp-accept', 'accept, 5 KB', '1,500 msgs/s', 'Postfix 1,000', '1.5×', '≥ 1×', 'yes'],
      ['smtp-accept', 'p99', '300 ms', '', '', '≤ 250 ms', 'NO'],
      ['smtp-accept', 'no goal', '2.5 s', '', '', '', ''],
      ['web', 'FAILED: stack not up', '', '', '', '', ''],
    ]);
  });

  it('prints aligned text and Markdown', () => {
    expect(formatTable(rows).split('\n')[0]).toMatch(/^benchmark {4}figure {16}ours/);
    expect(formatMarkdown(rows).split('\n').slice(0, 2)).toEqual([
      '| benchmark | figure | ours | peer | ratio | goal | met |',
      '| --- | --- | --- | --- | --- | --- | --- |',
    ]);
  });
});
