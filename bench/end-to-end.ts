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
import { formatNumber, percentile } from './lib/stats.ts';

interface Settings {
  /** Length of the sustained run. */
  seconds: number;
  /** Messages per smtp-source run; each run has recipients of its own. */
  chunk: number;
  /** The most messages a run can send (users are made for them up front): ~2,000 msgs/s for its length. */
  maxMessages: number;
  latencySeconds: number;
}

const FULL: Settings = { seconds: 120, chunk: 2_000, maxMessages: 240_000, latencySeconds: 30 };
const QUICK: Settings = { seconds: 10, chunk: 250, maxMessages: 10_000, latencySeconds: 5 };
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

async function sustained(ctx: BenchContext, store: MailStore, ingest: IngestProcess, settings: Settings, tag: string, messageFile: string): Promise<Sustained> {
  const runs: SentRun[] = [];
  const started = performance.now();
  let messages = 0;
  let loggedAt = started;
  while (performance.now() - started < settings.seconds * 1000 && messages + settings.chunk <= settings.maxMessages) {
    const run = { to: `${tag}-c${runs.length}@${BENCH_DOMAIN}`, messages: settings.chunk };
    await smtpSource({ host: '127.0.0.1', port: ingest.port, messageFile, messages: run.messages, sessions: SESSIONS, from: 'bench@sender.example', to: run.to });
    runs.push(run);
    messages += run.messages;
    if (performance.now() - loggedAt > 10_000) {
      loggedAt = performance.now();
      ctx.log(`sent ${messages.toLocaleString('en-US')} in ${formatNumber((loggedAt - started) / 1000)} s (${formatNumber(messages / ((loggedAt - started) / 1000))} msgs/s)`);
    }
  }
  const sendSeconds = (performance.now() - started) / 1000;
  if (messages + settings.chunk > settings.maxMessages) ctx.log(`stopped early at ${messages.toLocaleString('en-US')} messages: raise maxMessages`);
  ctx.log(`sending done: ${messages.toLocaleString('en-US')} messages in ${formatNumber(sendSeconds)} s; waiting for every row`);
  const lastRowAt = await waitForRows(store, runs, { stallMs: 60_000, pollMs: 250, log: ctx.log });
  return { runs, messages, sendSeconds, drainSeconds: (lastRowAt - started) / 1000 };
}

async function latencyAtHalfLoad(ctx: BenchContext, store: MailStore, ingest: IngestProcess, settings: Settings, tag: string, rate: number): Promise<number[]> {
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
    return (await probe.stop(60_000)).latenciesMs;
  } finally {
    const paced = await load.stop();
    ctx.log(`half load: ${formatNumber(paced.perSecond)} msgs/s for ${formatNumber(paced.seconds)} s (aim ${rate})`);
  }
}

async function run(ctx: BenchContext): Promise<Figure[]> {
  const settings = ctx.quick ? QUICK : FULL;
  const tag = `e${randomBytes(3).toString('hex')}`;
  const { plain5k } = writeMessageFiles(join(homedir(), '.cache', 'mailcluster', 'bench', 'messages'));
  ctx.log(`inputs: 5 KB plain (${plain5k}), smtp-source -s ${SESSIONS} -d -N in runs of ${settings.chunk.toLocaleString('en-US')} for ${settings.seconds} s; then ${settings.latencySeconds} s at half that rate with a probe every ${PROBE_INTERVAL_MS} ms`);
  const store = await openBenchStore();
  let ingest: IngestProcess | undefined;
  try {
    const recipients = Array.from({ length: settings.maxMessages / settings.chunk }, (_, i) => runRecipients({ messages: settings.chunk, to: `${tag}-c${i}@${BENCH_DOMAIN}` })).flat();
    await createBenchUsers(store, BENCH_DOMAIN, recipients, ctx.log);
    ingest = await startIngest(ctx.repo, INGEST_ENV);
    const s = await sustained(ctx, store, ingest, settings, tag, plain5k);
    const ingestRate = s.messages / s.sendSeconds;
    const drainRate = s.messages / s.drainSeconds;
    ctx.log(`sustained: ingest ${formatNumber(ingestRate)} msgs/s, drain ${formatNumber(drainRate)} msgs/s; ${s.messages.toLocaleString('en-US')} messages, ${s.messages.toLocaleString('en-US')} rows, none lost or doubled`);
    const half = Math.max(10, Math.round(ingestRate / 2));
    const latencies = await latencyAtHalfLoad(ctx, store, ingest, settings, tag, half);
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    ctx.log(`250 → row visible at ${half} msgs/s: ${latencies.length} probes, p50 ${formatNumber(p50)} ms, p99 ${formatNumber(p99)} ms`);
    const where = 'one box: ingest, 3 NATS nodes, 2 writers, 2 MariaDB and smtp-source share 2 cores';
    return [
      { name: 'end to end, 5 KB plain: sustained ingest', value: ingestRate, unit: 'msgs/s', goal: { on: 'value', at: 'least', target: 1_400 }, note: `${settings.seconds} s; ${where}` },
      { name: 'end to end: drain rate vs ingest rate', value: drainRate, unit: 'msgs/s', peer: { name: 'ingest', value: ingestRate }, goal: { on: 'ratio', at: 'least', target: 0.95 }, note: 'drain = messages ÷ (last row committed − start)' },
      { name: 'end to end: messages lost or doubled', value: 0, unit: 'messages', goal: { on: 'value', at: 'most', target: 0 }, note: `${s.messages.toLocaleString('en-US')} sent, each exactly one row (the run fails otherwise)` },
      { name: `250 → row visible p50, at ${half} msgs/s`, value: p50, unit: 'ms', note: `${latencies.length} probes` },
      { name: `250 → row visible p99, at ${half} msgs/s`, value: p99, unit: 'ms', goal: { on: 'value', at: 'most', target: 250 }, note: `${latencies.length} probes` },
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
