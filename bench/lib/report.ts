import { type Figure, meetsGoal, ratio } from './benchmark.ts';
import { formatNumber } from './stats.ts';

export interface BenchmarkFigures {
  benchmark: string;
  figures: Figure[];
  error?: string;
}

function goalText(figure: Figure): string {
  if (figure.goal === undefined) return '';
  const sign = figure.goal.at === 'least' ? '≥' : '≤';
  return figure.goal.on === 'ratio' ? `${sign} ${formatNumber(figure.goal.target)}×` : `${sign} ${formatNumber(figure.goal.target)} ${figure.unit}`;
}

/** One row per figure: ours, the peer, the ratio, the goal and whether it was met. */
export function summaryRows(results: readonly BenchmarkFigures[]): string[][] {
  const rows = [['benchmark', 'figure', 'ours', 'peer', 'ratio', 'goal', 'met']];
  for (const { benchmark, figures, error } of results) {
    if (error !== undefined) rows.push([benchmark, `FAILED: ${error}`, '', '', '', '', '']);
    for (const figure of figures) {
      const r = ratio(figure);
      const met = meetsGoal(figure);
      rows.push([
        benchmark,
        figure.name,
        `${formatNumber(figure.value)} ${figure.unit}`,
        figure.peer === undefined ? '' : `${figure.peer.name} ${formatNumber(figure.peer.value)}`,
        r === undefined ? '' : `${formatNumber(r)}×`,
        goalText(figure),
        met === undefined ? '' : met ? 'yes' : 'NO',
      ]);
    }
  }
  return rows;
}

/** A plain-text table with aligned columns, for the terminal. */
export function formatTable(rows: readonly string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => [...(row[column] ?? '')].length))) ?? [];
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()).join('\n');
}

/** The same table as Markdown, to paste into docs/benchmarks.md. */
export function formatMarkdown(rows: readonly string[][]): string {
  const [head, ...body] = rows;
  if (head === undefined) return '';
  const line = (row: readonly string[]) => `| ${row.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...body.map(line)].join('\n');
}
