/**
 * Issue 9, benchmark 1: SMTP accept, durable. Postfix's smtp-source sends the same messages with
 * the same sessions to three servers on this box, one round after the other:
 * - ours: a smtp-ingest process of our own on the stack's dbs and 3-node NATS (250 only after the
 *   R3 JetStream ack of every copy, DESIGN §4), with the stack's writers stopped so the figure is
 *   accept alone (they store the backlog afterwards, and every message must end as one row);
 * - Postfix accepting into its own queue (a private instance, bench/lib/postfix.ts), which fsyncs
 *   each queue file before 250: the hold queue (accept alone, the peer of the goal) and, in full
 *   mode, accept + discard delivery;
 * - smtp-sink, which keeps nothing: the protocol ceiling.
 * In full mode ours is measured a second time with every NATS node fsyncing each message before
 * its ack (`sync_interval: always`, the durability Postfix has), restarting the stack's NATS for
 * it and restoring it after.
 */
import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MailStore } from '@mailcluster/store';
import type { BenchContext, Benchmark, Figure } from './lib/benchmark.ts';
import { stackCtl, stackStatus } from '../test/support/stack-control.ts';
import { type IngestProcess, cpuMeter, openBenchStore, pidsOf, startIngest, withStopped } from './lib/bench-stack.ts';
import { createBenchUsers } from './lib/bench-users.ts';
import { profileArgs, profileSummary } from './lib/cpu-profile.ts';
import { type SentRun, waitForRows } from './lib/mail-rows.ts';
import { writeMessageFiles } from './lib/messages.ts';
import { BENCH_DOMAIN, BenchPostfix } from './lib/postfix.ts';
import { SmtpSink } from './lib/smtp-sink.ts';
import { runRecipients, smtpSource } from './lib/smtp-source.ts';
import { formatNumber, median, repeat } from './lib/stats.ts';

/** Sessions of every smtp-source run, on every side: as in the Postfix figures of the notes. */
const SESSIONS = 20;
const PORTS = { sink: 12601, hold: 12602, discard: 12603 } as const;
/** Our ingest's per-IP connection limit (20 by default): every session comes from 127.0.0.1. */
const INGEST_ENV = { MAILCLUSTER_MAX_CONNECTIONS_PER_IP: '1000' };
const WRITERS = ['writer-0', 'writer-1'];

const DURABILITY = {
  ours: 'ours: 250 after the JetStream ack of MAIL_IN (R3: 2 of 3 nodes hold the copy; file store fsync every 2 min, the nats-server default)',
  oursSync: 'ours: 250 after the JetStream ack of MAIL_IN (R3), each node fsyncing every message before acking (sync_interval: always)',
  postfix: 'Postfix: cleanup fsyncs each queue file before 250',
  sink: 'smtp-sink: stores nothing',
};

interface Mix {
  key: 'M1' | 'M2';
  label: string;
  file: string;
  messages: number;
}

interface OursRun {
  perSecond: number;
  /** Messages per CPU-second of the ingest process: what one ingest core carries. */
  perIngestCore: number;
  natsCpuPerMessageMs: number;
}

interface Round {
  ours: OursRun;
  postfix: number;
  sink: number;
}

class Plan {
  readonly tag = `b${randomBytes(3).toString('hex')}`;
  /** Every run sent to our ingest: each must end as one row per message. */
  readonly ours: SentRun[] = [];

  /** A fresh base recipient (smtp-source prepends 1, 2, … to it). */
  to(side: string, mix: Mix, round: number): string {
    return `${this.tag}-${side}-${mix.key.toLowerCase()}-${round < 0 ? `w${-round}` : round}@${BENCH_DOMAIN}`;
  }
}

function mixes(ctx: BenchContext): Mix[] {
  const files = writeMessageFiles(join(homedir(), '.cache', 'mailcluster', 'bench', 'messages'));
  return [
    { key: 'M1', label: '5 KB plain', file: files.plain5k, messages: ctx.quick ? 300 : 5_000 },
    { key: 'M2', label: '~50 KB MIME', file: files.mime50k, messages: ctx.quick ? 150 : 3_000 },
  ];
}

async function send(port: number, mix: Mix, to: string): Promise<number> {
  const result = await smtpSource({ host: '127.0.0.1', port, messageFile: mix.file, messages: mix.messages, sessions: SESSIONS, from: 'bench@sender.example', to });
  return result.perSecond;
}

async function oursOnce(ingest: IngestProcess, natsPids: readonly number[], plan: Plan, mix: Mix, round: number, side: string): Promise<OursRun> {
  const to = plan.to(side, mix, round);
  const cpu = cpuMeter({ ingest: [ingest.pid], nats: natsPids });
  const perSecond = await send(ingest.port, mix, to);
  const used = cpu();
  plan.ours.push({ to, messages: mix.messages });
  return { perSecond, perIngestCore: mix.messages / (used.ingest ?? 0), natsCpuPerMessageMs: ((used.nats ?? 0) / mix.messages) * 1000 };
}

async function postfixOnce(postfix: BenchPostfix, plan: Plan, mix: Mix, round: number): Promise<number> {
  const before = postfix.mode === 'hold' ? postfix.held() : postfix.delivered();
  const perSecond = await send(postfix.port, mix, plan.to(`pf${postfix.mode}`, mix, round));
  // Every message must really be in the queue (hold) or delivered (discard) before the run counts.
  const deadline = performance.now() + 60_000;
  for (;;) {
    const done = postfix.mode === 'hold' ? postfix.held() - before : postfix.delivered() - before;
    if (done === mix.messages && (postfix.mode === 'hold' || postfix.inFlight() === 0)) return perSecond;
    if (performance.now() > deadline) throw new Error(`Postfix (${postfix.mode}): ${done} of ${mix.messages} messages ${postfix.mode === 'hold' ? 'held' : 'delivered'}\n${postfix.logTail()}`);
    await sleep(100);
  }
}

function medianOf<T>(runs: readonly T[], pick: (run: T) => number): number {
  return median(runs.map(pick));
}

/** Interleaved rounds of ours, Postfix (hold) and smtp-sink per mix, with the writers stopped. */
async function mainRounds(ctx: BenchContext, plan: Plan, mixList: readonly Mix[], rounds: { warmups: number; runs: number }, natsPids: readonly number[]): Promise<Map<Mix, Round[]>> {
  // Each started server is stopped again however the rest goes.
  const stops: (() => Promise<void>)[] = [];
  try {
    const sink = await SmtpSink.start(PORTS.sink);
    stops.push(() => sink.stop());
    const postfix = await BenchPostfix.start('hold', PORTS.hold);
    stops.push(() => postfix.stop());
    const ingest = await startIngest(ctx.repo, INGEST_ENV, profileArgs());
    stops.push(async () => {
      await ingest.stop();
      for (const line of profileSummary(ctx.repo)) ctx.log(line);
    });
    const results = new Map<Mix, Round[]>();
    for (const mix of mixList) {
      const { runs } = await repeat<Round>({ ...rounds, key: (r) => r.ours.perSecond, log: (line) => ctx.log(line), label: `${mix.key} ours msgs/s` }, async (round) => {
        const sinkRate = await send(sink.port, mix, plan.to('sink', mix, round));
        const postfixRate = await postfixOnce(postfix, plan, mix, round);
        const ours = await oursOnce(ingest, natsPids, plan, mix, round, 'ours');
        ctx.log(`${mix.key} round ${round < 0 ? 'warm-up' : round + 1}: ours ${formatNumber(ours.perSecond)} (${formatNumber(ours.perIngestCore)} per ingest core, NATS ${ours.natsCpuPerMessageMs.toFixed(2)} ms CPU/msg), Postfix hold ${formatNumber(postfixRate)}, smtp-sink ${formatNumber(sinkRate)} msgs/s`);
        return { ours, postfix: postfixRate, sink: sinkRate };
      });
      results.set(mix, runs);
    }
    return results;
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}

/** Ours again with `sync_interval: always` on every NATS node; the stack's NATS is restarted for it and restored after. */
async function syncAlwaysRounds(ctx: BenchContext, plan: Plan, mixList: readonly Mix[], rounds: { warmups: number; runs: number }): Promise<Map<Mix, OursRun[]>> {
  ctx.log('restarting the stack\'s NATS with sync_interval: always (hack/stack.sh stop|start nats)');
  await stackCtl(ctx.repo, 'stop', 'nats');
  try {
    await stackCtl(ctx.repo, 'start', 'nats', { MAILCLUSTER_NATS_SYNC_INTERVAL: 'always' });
    const natsPids = pidsOf(await stackStatus(ctx.repo), 'nats-');
    const ingest = await startIngest(ctx.repo, INGEST_ENV);
    try {
      const results = new Map<Mix, OursRun[]>();
      for (const mix of mixList) {
        const { runs } = await repeat<OursRun>({ ...rounds, key: (r) => r.perSecond, log: (line) => ctx.log(line), label: `${mix.key} ours (sync always) msgs/s` }, (round) =>
          oursOnce(ingest, natsPids, plan, mix, round, 'sync'),
        );
        results.set(mix, runs);
      }
      return results;
    } finally {
      await ingest.stop();
    }
  } finally {
    ctx.log('restoring the stack\'s NATS (default sync interval)');
    await stackCtl(ctx.repo, 'stop', 'nats');
    await stackCtl(ctx.repo, 'start', 'nats');
  }
}

/** Postfix accepting and delivering to discard:, the queue emptying as it fills (full mode). */
async function discardRounds(ctx: BenchContext, plan: Plan, mixList: readonly Mix[], rounds: { warmups: number; runs: number }): Promise<Map<Mix, number[]>> {
  const postfix = await BenchPostfix.start('discard', PORTS.discard);
  try {
    const results = new Map<Mix, number[]>();
    for (const mix of mixList) {
      const { runs } = await repeat<number>({ ...rounds, key: (r) => r, log: (line) => ctx.log(line), label: `${mix.key} Postfix accept+discard msgs/s` }, (round) => postfixOnce(postfix, plan, mix, round));
      results.set(mix, runs);
    }
    return results;
  } finally {
    await postfix.stop();
  }
}

async function createUsers(ctx: BenchContext, store: MailStore, plan: Plan, mixList: readonly Mix[], rounds: { warmups: number; runs: number }): Promise<void> {
  const sides = ctx.quick ? ['ours'] : ['ours', 'sync'];
  const recipients = sides.flatMap((side) =>
    mixList.flatMap((mix) =>
      Array.from({ length: rounds.warmups + rounds.runs }, (_, i) => i - rounds.warmups).flatMap((round) => runRecipients({ messages: mix.messages, to: plan.to(side, mix, round) })),
    ),
  );
  await createBenchUsers(store, BENCH_DOMAIN, recipients, (line) => ctx.log(line));
}

async function run(ctx: BenchContext): Promise<Figure[]> {
  const mixList = mixes(ctx);
  const rounds = ctx.quick ? { warmups: 0, runs: 1 } : { warmups: 1, runs: 3 };
  const plan = new Plan();
  ctx.log(`inputs: smtp-source -s ${SESSIONS} -d -N, ${mixList.map((m) => `${m.key} ${m.label} (${m.file}) × ${m.messages.toLocaleString('en-US')}`).join(', ')} per run; ${rounds.warmups} warm-up + ${rounds.runs} measured round(s); recipients <n>${plan.tag}-…@${BENCH_DOMAIN}, one per message`);
  ctx.log(`our ingest: its own process, per-IP connection limit raised from 20 to ${INGEST_ENV.MAILCLUSTER_MAX_CONNECTIONS_PER_IP} (all sessions come from 127.0.0.1); the stack's writers stopped while measuring`);
  const store = await openBenchStore();
  try {
    await createUsers(ctx, store, plan, mixList, rounds);
    const natsPids = pidsOf(await stackStatus(ctx.repo), 'nats-');
    const { main, sync } = await withStopped(ctx.repo, WRITERS, (line) => ctx.log(line), async () => ({
      main: await mainRounds(ctx, plan, mixList, rounds, natsPids),
      sync: ctx.quick ? undefined : await syncAlwaysRounds(ctx, plan, mixList, rounds),
    }));
    ctx.log(`the writers store what ours accepted (${plan.ours.reduce((n, r) => n + r.messages, 0).toLocaleString('en-US')} messages); every message must be exactly one row`);
    await waitForRows(store, plan.ours, { stallMs: 60_000, pollMs: 1_000, log: (line) => ctx.log(line) });
    ctx.log('all stored, one row each');
    // After the backlog is stored: the writers storing it would take the CPU Postfix delivers with.
    const discard = ctx.quick ? undefined : await discardRounds(ctx, plan, mixList, rounds);
    return figures(mixList, main, sync, discard);
  } finally {
    await store.close();
  }
}

function figures(mixList: readonly Mix[], main: Map<Mix, Round[]>, sync: Map<Mix, OursRun[]> | undefined, discard: Map<Mix, number[]> | undefined): Figure[] {
  const out: Figure[] = [];
  for (const mix of mixList) {
    const rounds = main.get(mix) ?? [];
    const ours = medianOf(rounds, (r) => r.ours.perSecond);
    const postfix = medianOf(rounds, (r) => r.postfix);
    const natsMs = medianOf(rounds, (r) => r.ours.natsCpuPerMessageMs);
    out.push(
      { name: `SMTP accept ${mix.label}: ours vs Postfix (hold queue)`, value: ours, unit: 'msgs/s', peer: { name: 'Postfix', value: postfix }, goal: { on: 'ratio', at: 'least', target: 1 }, note: `${DURABILITY.ours}; ${DURABILITY.postfix}` },
      { name: `SMTP accept ${mix.label}: ours vs the protocol ceiling`, value: ours, unit: 'msgs/s', peer: { name: 'smtp-sink', value: medianOf(rounds, (r) => r.sink) }, note: DURABILITY.sink },
    );
    if (mix.key === 'M2') {
      out.push({
        name: `SMTP accept ${mix.label}, per ingest core`,
        value: medianOf(rounds, (r) => r.ours.perIngestCore),
        unit: 'msgs/s per core',
        goal: { on: 'value', at: 'least', target: 700 },
        note: `messages per CPU-second of the ingest process; NATS (3 nodes) used ${natsMs.toFixed(2)} ms CPU per message on the same 2 cores`,
      });
    }
    const syncRuns = sync?.get(mix);
    if (syncRuns) {
      out.push({ name: `SMTP accept ${mix.label}, NATS fsync per message: ours vs Postfix (hold queue)`, value: medianOf(syncRuns, (r) => r.perSecond), unit: 'msgs/s', peer: { name: 'Postfix', value: postfix }, note: `${DURABILITY.oursSync}; ${DURABILITY.postfix}` });
    }
    const discardRuns = discard?.get(mix);
    if (discardRuns) {
      out.push({ name: `SMTP accept ${mix.label}: ours vs Postfix (accept + discard delivery)`, value: ours, unit: 'msgs/s', peer: { name: 'Postfix', value: median(discardRuns) }, note: `${DURABILITY.ours}; ${DURABILITY.postfix}, and delivers to discard: meanwhile` });
    }
  }
  return out;
}

export const smtpAccept: Benchmark = {
  name: 'smtp-accept',
  title: 'SMTP accept, durable: our smtp-ingest vs Postfix and smtp-sink (smtp-source, 2 mixes)',
  run,
};
