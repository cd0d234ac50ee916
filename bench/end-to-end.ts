/**
 * Issue 9, benchmark 2: end to end, SMTP 250 → row committed in the shard table, on the whole
 * local stack (its dbs, 3-node NATS, both writers) with an smtp-ingest process of our own.
 * - Sustained: smtp-source sends 5 KB plain mail as fast as the stack takes it, for the run's
 *   length, in chunks of fresh recipients (one row each). Ingest rate = messages ÷ sending time;
 *   drain rate = messages ÷ (last row committed − start): when the writers keep up the two are
 *   equal, and the backlog they leave shows as a ratio below 1. At the end every message must be
 *   exactly one row (bench/lib/mail-rows.ts): nothing lost, nothing doubled.
 * - Latency: then, at half the sustained rate (paced bursts), a probe sends one message every
 *   250 ms on a session of its own and times its 250 → its row visible to another connection.
 * Each part runs `runs` times after a shorter warm-up; the figures are the median runs.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MailStore } from '@mailcluster/store';
import type { BenchContext, Benchmark, Figure } from './lib/benchmark.ts';
import { type IngestProcess, openBenchStore, startIngest } from './lib/bench-stack.ts';
import { createBenchUsers } from './lib/bench-users.ts';
import { LatencyProbe } from './lib/latency-probe.ts';
import { type SentRun, waitForRows } from './lib/mail-rows.ts';
import { plainMessage, writeMessageFiles } from './lib/messages.ts';
import { startPacedIngest } from './lib/paced-ingest.ts';
import { BENCH_DOMAIN } from './lib/postfix.ts';
import { runRecipients, smtpSource } from './lib/smtp-source.ts';
import { formatNumber, percentile, repeat } from './lib/stats.ts';

interface Settings {
  /** Length of each sustained run, and of the unmeasured warm-up before them. */
  seconds: number;
  warmupSeconds: number;
  /** Messages per smtp-source run; each run has recipients of its own. */
  chunk: number;
  /** Messages per second a run can send at most (users are made for them before it starts). */
  maxRate: number;
  latencySeconds: number;
  runs: number;
  warmups: number;
}

const FULL: Settings = { seconds: 120, warmupSeconds: 20, chunk: 2_000, maxRate: 1_000, latencySeconds: 30, runs: 3, warmups: 1 };
const QUICK: Settings = { seconds: 10, warmupSeconds: 0, chunk: 250, maxRate: 1_000, latencySeconds: 5, runs: 1, warmups: 0 };
const SESSIONS = 20;
const PROBE_INTERVAL_MS = 250;
/** Our ingest's per-IP connection limit (20 by default): smtp-source, the probe and the paced load all come from 127.0.0.1. */
const INGEST_ENV = { MAILCLUSTER_MAX_CONNECTIONS_PER_IP: '1000' };

interface Sustained {
  runs: SentRun[];
  messages: number;
  sendSeconds: number;
  drainSeconds: number;
}

async function sustained(ctx: BenchContext, store: MailStore, ingest: IngestProcess, plan: { seconds: number; chunk: number; maxRate: number }, tag: string, messageFile: string): Promise<Sustained> {
  const maxMessages = Math.ceil((plan.seconds * plan.maxRate) / plan.chunk) * plan.chunk;
  const chunkTo = (i: number) => `${tag}-c${i}@${BENCH_DOMAIN}`;
  await createBenchUsers(store, BENCH_DOMAIN, Array.from({ length: maxMessages / plan.chunk }, (_, i) => runRecipients({ messages: plan.chunk, to: chunkTo(i) })).flat(), ctx.log);
  const runs: SentRun[] = [];
  const started = performance.now();
  let messages = 0;
  let loggedAt = started;
  while (performance.now() - started < plan.seconds * 1000 && messages + plan.chunk <= maxMessages) {
    const run = { to: chunkTo(runs.length), messages: plan.chunk };
    await smtpSource({ host: '127.0.0.1', port: ingest.port, messageFile, messages: run.messages, sessions: SESSIONS, from: 'bench@sender.example', to: run.to });
    runs.push(run);
    messages += run.messages;
    if (performance.now() - loggedAt > 10_000) {
      loggedAt = performance.now();
      ctx.log(`sent ${messages.toLocaleString('en-US')} in ${formatNumber((loggedAt - started) / 1000)} s (${formatNumber(messages / ((loggedAt - started) / 1000))} msgs/s)`);
    }
  }
  const sendSeconds = (performance.now() - started) / 1000;
  if (messages + plan.chunk > maxMessages) ctx.log(`stopped early at ${messages.toLocaleString('en-US')} messages: raise maxRate`);
  ctx.log(`sending done: ${messages.toLocaleString('en-US')} messages in ${formatNumber(sendSeconds)} s; waiting for every row`);
  const lastRowAt = await waitForRows(store, runs, { stallMs: 60_000, pollMs: 250, log: ctx.log });
  const result = { runs, messages, sendSeconds, drainSeconds: (lastRowAt - started) / 1000 };
  ctx.log(`sustained: ingest ${formatNumber(ingestRate(result))} msgs/s, drain ${formatNumber(drainRate(result))} msgs/s; ${messages.toLocaleString('en-US')} messages, as many rows, none lost or doubled`);
  return result;
}

const ingestRate = (s: Sustained): number => s.messages / s.sendSeconds;
const drainRate = (s: Sustained): number => s.messages / s.drainSeconds;

interface Latency {
  p50: number;
  p99: number;
  probes: number;
}

async function latencyAtHalfLoad(ctx: BenchContext, store: MailStore, ingest: IngestProcess, settings: Settings, tag: string, rate: number): Promise<Latency> {
  const dir = join(tmpdir(), 'mailcluster-bench-e2e');
  mkdirSync(dir, { recursive: true });
  const probeRecipients = Array.from({ length: Math.ceil((settings.latencySeconds * 1000) / PROBE_INTERVAL_MS) }, (_, i) => `pz${tag}-${i}@${BENCH_DOMAIN}`);
  const pacedTo = `${tag}-half@${BENCH_DOMAIN}`;
  await createBenchUsers(store, BENCH_DOMAIN, [...probeRecipients, ...runRecipients({ messages: rate, to: pacedTo })], ctx.log);
  const load = startPacedIngest({ host: '127.0.0.1', port: ingest.port, rate, sessions: SESSIONS, dir, from: 'bench@sender.example', to: pacedTo, log: ctx.log });
  try {
    const probe = await LatencyProbe.start({
      host: '127.0.0.1',
      port: ingest.port,
      store,
      message: Buffer.from(plainMessage().replaceAll('\n', '\r\n')),
      recipients: probeRecipients,
      intervalMs: PROBE_INTERVAL_MS,
      pollMs: 5,
    });
    await new Promise((resolve) => setTimeout(resolve, settings.latencySeconds * 1000));
    const { latenciesMs } = await probe.stop(60_000);
    const latency = { p50: percentile(latenciesMs, 50), p99: percentile(latenciesMs, 99), probes: latenciesMs.length };
    ctx.log(`250 → row visible at ${rate} msgs/s: ${latency.probes} probes, p50 ${formatNumber(latency.p50)} ms, p99 ${formatNumber(latency.p99)} ms`);
    return latency;
  } finally {
    const paced = await load.stop();
    ctx.log(`half load: ${formatNumber(paced.perSecond)} msgs/s for ${formatNumber(paced.seconds)} s (aim ${rate})`);
  }
}

async function run(ctx: BenchContext): Promise<Figure[]> {
  const settings = ctx.quick ? QUICK : FULL;
  const tag = `e${randomBytes(3).toString('hex')}`;
  const { plain5k } = writeMessageFiles(join(homedir(), '.cache', 'mailcluster', 'bench', 'messages'));
  ctx.log(
    `inputs: 5 KB plain (${plain5k}), smtp-source -s ${SESSIONS} -d -N in runs of ${settings.chunk.toLocaleString('en-US')} for ${settings.seconds} s; ` +
      `then ${settings.latencySeconds} s at half that rate with a probe every ${PROBE_INTERVAL_MS} ms; ${settings.runs} run(s) of each after ${settings.warmups} warm-up(s)`,
  );
  const store = await openBenchStore();
  let ingest: IngestProcess | undefined;
  try {
    ingest = await startIngest(ctx.repo, INGEST_ENV);
    const running = ingest;
    const sustainedRuns = await repeat(
      { runs: settings.runs, warmups: settings.warmups, key: ingestRate, log: ctx.log, label: 'sustained ingest msgs/s' },
      (i) => sustained(ctx, store, running, i < 0 ? { ...settings, seconds: settings.warmupSeconds } : settings, `${tag}r${i < 0 ? 'w' : i}`, plain5k),
    );
    const s = sustainedRuns.median;
    const half = Math.max(10, Math.round(ingestRate(s) / 2));
    const latency = (
      await repeat(
        { runs: settings.runs, warmups: 0, key: (l: Latency) => l.p99, log: ctx.log, label: `250 → row p99 ms at ${half} msgs/s` },
        (i) => latencyAtHalfLoad(ctx, store, running, settings, `${tag}l${i}`, half),
      )
    ).median;
    const allMessages = sustainedRuns.runs.reduce((sum, r) => sum + r.messages, 0);
    const where = 'one box: ingest, 3 NATS nodes, 2 writers, 2 MariaDB and smtp-source share 2 cores';
    const runsNote = `median of ${settings.runs} run(s) of ${settings.seconds} s`;
    return [
      { name: 'end to end, 5 KB plain: sustained ingest', value: ingestRate(s), unit: 'msgs/s', goal: { on: 'value', at: 'least', target: 1_400 }, note: `${runsNote}; ${where}` },
      { name: 'end to end: drain rate vs ingest rate', value: drainRate(s), unit: 'msgs/s', peer: { name: 'ingest', value: ingestRate(s) }, goal: { on: 'ratio', at: 'least', target: 0.95 }, note: 'drain = messages ÷ (last row committed − start), same run' },
      { name: 'end to end: messages lost or doubled', value: 0, unit: 'messages', goal: { on: 'value', at: 'most', target: 0 }, note: `${allMessages.toLocaleString('en-US')} sent in the measured runs, each exactly one row (the run fails otherwise)` },
      { name: `250 → row visible p50, at ${half} msgs/s`, value: latency.p50, unit: 'ms', note: `${latency.probes} probes, the run of median p99` },
      { name: `250 → row visible p99, at ${half} msgs/s`, value: latency.p99, unit: 'ms', goal: { on: 'value', at: 'most', target: 250 }, note: `${latency.probes} probes; median of ${settings.runs} run(s) of ${settings.latencySeconds} s` },
    ];
  } finally {
    await ingest?.stop();
    await store.close();
  }
}

export const endToEnd: Benchmark = {
  name: 'end-to-end',
  title: 'End to end: SMTP 250 → row committed, sustained rate, drain ÷ ingest, 250 → row latency, nothing lost',
  run,
};
