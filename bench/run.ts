/**
 * `npm run bench [-- --quick] [name...]`: runs the benchmarks of issue 9 one after another on this
 * machine (through hack/bench.sh, which installs what they need and brings the local stack up),
 * prints machine info, each benchmark's progress and figures, and a summary table with the ratio of
 * each figure to its peer and the goal it answers. The results also go, as JSON and Markdown, to
 * ~/.cache/mailcluster/bench/<time>.{json,md} for docs/benchmarks.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { endToEnd } from './end-to-end.ts';
import type { Benchmark, BenchContext } from './lib/benchmark.ts';
import { describeMachine, machineInfo } from './lib/machine.ts';
import { type BenchmarkFigures, formatMarkdown, formatTable, summaryRows } from './lib/report.ts';
import { operatorBenchmark } from './operator.ts';
import { smtpAccept } from './smtp-accept.ts';
import { storageLayout } from './storage-layout.ts';
import { web } from './web.ts';

/** In the order they run: the long end-to-end run last. */
const BENCHMARKS: Benchmark[] = [smtpAccept, storageLayout, web, operatorBenchmark, endToEnd];

const { values: options, positionals: names } = parseArgs({
  allowPositionals: true,
  options: { quick: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
});

if (options.help) {
  process.stdout.write(`npm run bench [-- --quick] [name...]\n\nBenchmarks: ${BENCHMARKS.map((b) => `${b.name} (${b.title})`).join(', ')}\n`);
  process.exit(0);
}

const unknown = names.filter((name) => !BENCHMARKS.some((b) => b.name === name));
if (unknown.length > 0) {
  process.stderr.write(`bench: unknown benchmark ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}\n`);
  process.exit(2);
}

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const selected = names.length === 0 ? BENCHMARKS : BENCHMARKS.filter((b) => names.includes(b.name));
const machine = machineInfo(repo, process.env.NATS_SERVER_BIN);
for (const line of describeMachine(machine)) process.stdout.write(`${line}\n`);
process.stdout.write(`mode: ${options.quick ? 'quick (CI smoke: proves each benchmark runs; the figures are not measurements)' : 'full'}\n`);

const results: BenchmarkFigures[] = [];
for (const benchmark of selected) {
  process.stdout.write(`\n== ${benchmark.name}: ${benchmark.title}\n`);
  const ctx: BenchContext = { quick: options.quick, repo, log: (line) => process.stdout.write(`[${benchmark.name}] ${line}\n`) };
  const started = performance.now();
  try {
    results.push({ benchmark: benchmark.name, figures: await benchmark.run(ctx) });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`[${benchmark.name}] failed: ${error instanceof Error ? (error.stack ?? message) : message}\n`);
    results.push({ benchmark: benchmark.name, figures: [], error: message.split('\n')[0] ?? message });
  }
  ctx.log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

const rows = summaryRows(results);
process.stdout.write(`\n== summary\n${formatTable(rows)}\n`);
const outDir = join(homedir(), '.cache', 'mailcluster', 'bench');
mkdirSync(outDir, { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
writeFileSync(join(outDir, `${stamp}.json`), `${JSON.stringify({ machine, quick: options.quick, results }, null, 2)}\n`);
writeFileSync(join(outDir, `${stamp}.md`), `${describeMachine(machine).join('  \n')}\n\n${formatMarkdown(rows)}\n`);
process.stdout.write(`\nresults: ${join(outDir, `${stamp}.json`)} (and .md)\n`);
process.exit(results.some((r) => r.error !== undefined) ? 1 : 0);
