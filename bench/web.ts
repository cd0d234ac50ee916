/**
 * Issue 9, benchmark 4: the webmail on one core. Our own web pod (`node services/web/src/main.ts`
 * pinned with `taskset -c 1`, on the stack's dbs) serves signed-in users with Zipf-sized mailboxes;
 * autocannon on the other core asks for inbox pages and opened messages spread over the users'
 * sessions, alone and while smtp-source feeds smtp-ingest at half the SMTP load model (≈ 700
 * msgs/s). The floor is the same SELECT the page runs (the store's folderPageQuery / messageQuery)
 * straight through mysql2 on the pod's core at the same concurrency.
 */
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { addressPrefix, fixedShardMapSource } from '@mailcluster/common';
import { FOLDERS, MailStore, type NewMessageRow, inTransaction, listFolder, storeMessages } from '@mailcluster/store';
import { BENCH_PASSWORD, createBenchUsers } from './lib/bench-users.ts';
import { BenchMail, benchAddresses } from './lib/bench-mail.ts';
import type { BenchContext, Benchmark, Figure } from './lib/benchmark.ts';
import { profileDir, profileSummary } from './lib/cpu-profile.ts';
import type { HttpLoadInput, HttpLoadResult } from './lib/http-load-runner.ts';
import { type IngestTotals, startPacedIngest } from './lib/paced-ingest.ts';
import { runPinned } from './lib/pinned-run.ts';
import type { SqlLoadInput } from './lib/sql-load-runner.ts';
import type { LoopResult } from './lib/closed-loop.ts';
import { formatNumber, repeat } from './lib/stats.ts';
import { startWebPod } from './lib/web-pod.ts';
import { seededRandom, zipfSizes } from './lib/zipf.ts';

interface Settings {
  users: number;
  /** Messages in all mailboxes by Zipf share, before each gets at least a page's worth. */
  messages: number;
  sessions: number;
  seconds: number;
  runs: number;
  warmups: number;
  ingestRate: number;
}

const FULL: Settings = { users: 1_000, messages: 100_000, sessions: 300, seconds: 15, runs: 3, warmups: 1, ingestRate: 700 };
const QUICK: Settings = { users: 40, messages: 2_000, sessions: 10, seconds: 3, runs: 1, warmups: 0, ingestRate: 100 };

const DOMAIN = 'webbench.test';
const WEB_CPU = 1;
const LOAD_CPU = 0;
/** Connections of autocannon, and in-flight queries of the floor. */
const CONNECTIONS = 32;
/** The web pod's defaults: connections per db, and the page size (it reads one row more). */
const POD_DB_CONNECTIONS = 8;
const PAGE = 50;
/** Issue 9's load model: 10 % of 1M users online, a request each per 30 s, over 4 web pods. */
const MODEL_RATE = 850;
const INGEST_SESSIONS = 16;
const MAILBOX_FLOOR = 60;

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set: run through hack/bench.sh (it brings the stack up)`);
  return value;
}

/** Every mailbox, newest first by index; the same rows every run (keyed by mailbox and index), so a refill adds nothing. */
async function fillMailboxes(ctx: BenchContext, store: MailStore, addresses: readonly string[], sizes: readonly number[]): Promise<void> {
  const mail = new BenchMail(seededRandom(22), 'web-bench');
  const random = seededRandom(23);
  const newest = Date.UTC(2026, 9, 1);
  const pending = new Map<number, NewMessageRow[]>();
  const total = sizes.reduce((a, b) => a + b, 0);
  const started = performance.now();
  let done = 0;
  const flush = async (db: number) => {
    const rows = pending.get(db) ?? [];
    pending.delete(db);
    const groups = new Map<string, NewMessageRow[]>();
    for (const row of rows) groups.set(addressPrefix(row.emailTo), [...(groups.get(addressPrefix(row.emailTo)) ?? []), row]);
    for (const prefix of groups.keys()) await store.ensureMailTable(db, prefix);
    const conn = await store.pool(db).getConnection();
    try {
      await inTransaction(conn, () => storeMessages(conn, groups));
    } finally {
      conn.release();
    }
    done += rows.length;
    if (done % 20_000 < rows.length) ctx.log(`mailboxes: ${formatNumber(done)} / ${formatNumber(total)} messages (${formatNumber(done / ((performance.now() - started) / 1000))}/s)`);
  };
  for (const [u, address] of addresses.entries()) {
    const db = store.dbOfPrefix(addressPrefix(address));
    for (let i = 0; i < (sizes[u] as number); i++) {
      const r = random();
      const row = mail.row({
        to: address,
        receivedAt: new Date(newest - i * 3 * 3_600_000),
        folder: r < 0.85 ? FOLDERS.inbox : r < 0.95 ? FOLDERS.sent : FOLDERS.trash,
        seen: i >= 5 && random() < 0.85,
        textBytes: 800 + Math.floor(random() * 3_200),
        attachmentBytes: random() < 0.1 ? 20_000 : undefined,
        key: String(i),
      });
      const rows = pending.get(db) ?? [];
      rows.push(row);
      pending.set(db, rows);
      if (rows.length >= 500) await flush(db);
    }
  }
  for (const db of [...pending.keys()]) await flush(db);
}

/** Signs in through the public web URL's API, as test/support/webmail.ts does: the session cookie. */
async function signIn(publicUrl: string, address: string): Promise<string> {
  const response = await fetch(`${publicUrl}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: new URL(publicUrl).origin },
    body: JSON.stringify({ address, password: BENCH_PASSWORD }),
  });
  if (response.status !== 201) throw new Error(`sign-in of ${address}: HTTP ${response.status} ${await response.text()}`);
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  if (!cookie.includes('=')) throw new Error(`sign-in of ${address}: no session cookie`);
  return cookie;
}

interface Session {
  address: string;
  cookie: string;
  /** The newest page of the Inbox: what people open. */
  inboxIds: number[];
}

async function signInUsers(ctx: BenchContext, store: MailStore, publicUrl: string, addresses: readonly string[], count: number): Promise<Session[]> {
  const random = seededRandom(24);
  const chosen = new Set<string>();
  while (chosen.size < Math.min(count, addresses.length)) chosen.add(addresses[Math.floor(random() * addresses.length)] as string);
  const queue = [...chosen];
  const sessions: Session[] = [];
  const started = performance.now();
  // argon2 verification costs ~40 ms of a core per sign-in: two at a time, one per core.
  await Promise.all(
    [0, 1].map(async () => {
      for (let address = queue.shift(); address !== undefined; address = queue.shift()) {
        const cookie = await signIn(publicUrl, address);
        const inbox = await listFolder(store.homePool(address), address, { folder: FOLDERS.inbox, limit: PAGE });
        sessions.push({ address, cookie, inboxIds: inbox.map((item) => item.id) });
      }
    }),
  );
  ctx.log(`sessions: ${sessions.length} users signed in in ${formatNumber((performance.now() - started) / 1000)} s`);
  return sessions;
}

type Page = 'inbox' | 'message';

function httpTargets(sessions: readonly Session[], page: Page): HttpLoadInput['targets'] {
  return page === 'inbox'
    ? sessions.map((s) => ({ path: '/mail/inbox', cookie: s.cookie }))
    : sessions.flatMap((s) => s.inboxIds.map((id) => ({ path: `/messages/${id}`, cookie: s.cookie })));
}

function sqlTargets(sessions: readonly Session[], page: Page): SqlLoadInput['targets'] {
  return page === 'inbox' ? sessions.map((s) => ({ address: s.address, id: 0 })) : sessions.flatMap((s) => s.inboxIds.map((id) => ({ address: s.address, id })));
}

async function run(ctx: BenchContext): Promise<Figure[]> {
  const settings = ctx.quick ? QUICK : FULL;
  const dbUrls = env('MAILCLUSTER_DB_URLS').split(',');
  const publicUrl = env('MAILCLUSTER_WEB_URL');
  const [smtpHost, smtpPort] = env('MAILCLUSTER_SMTP').split(':') as [string, string];
  const sizes = zipfSizes(settings.users, settings.messages, { floor: MAILBOX_FLOOR });
  ctx.log(
    `inputs: ${formatNumber(settings.users)} mailboxes at ${DOMAIN}, ${formatNumber(sizes.reduce((a, b) => a + b, 0))} messages (Zipf s=1, biggest ${formatNumber(sizes[0] as number)}, ` +
      `each ≥ ${MAILBOX_FLOOR}; 85 % Inbox, 10 % with HTML and a 20 KB attachment); ${settings.sessions} signed-in users; web pod on CPU ${WEB_CPU}, ` +
      `autocannon on CPU ${LOAD_CPU} with ${CONNECTIONS} connections, ${settings.seconds} s per run, ${settings.runs} run(s) after ${settings.warmups} warm-up(s); ` +
      `ingest ${settings.ingestRate} msgs/s of 5 KB plain mail`,
  );
  const store = MailStore.open(dbUrls, fixedShardMapSource(dbUrls.length), { connectionLimit: 4 });
  try {
    const addresses = benchAddresses(settings.users, DOMAIN, seededRandom(21));
    const ingestTo = `wi@${DOMAIN}`;
    const ingestRecipients = Array.from({ length: settings.ingestRate }, (_, i) => `${i + 1}${ingestTo}`);
    await createBenchUsers(store, DOMAIN, [...addresses, ...ingestRecipients], ctx.log);
    await fillMailboxes(ctx, store, addresses, sizes);
    const sessions = await signInUsers(ctx, store, publicUrl, addresses, settings.sessions);

    const cpuProfileDir = profileDir();
    const pod = await startWebPod({
      repo: ctx.repo,
      cpu: WEB_CPU,
      env: {
        MAILCLUSTER_DB_URLS: dbUrls.join(','),
        MAILCLUSTER_PUBLIC_URL: publicUrl,
        MAILCLUSTER_SUBMISSION: env('MAILCLUSTER_SUBMISSION'),
        MAILCLUSTER_SUBMISSION_PASSWORD: env('MAILCLUSTER_SUBMISSION_PASSWORD'),
        MAILCLUSTER_SUBMISSION_CA_FILE: env('MAILCLUSTER_TLS_CERT_FILE'),
      },
    });
    ctx.log(`web pod: pid ${pod.pid} on CPU ${WEB_CPU} at ${pod.url}${cpuProfileDir === undefined ? '' : `, CPU profile into ${cpuProfileDir}`}`);
    const lib = join(ctx.repo, 'bench', 'lib');
    const repeated = { runs: settings.runs, warmups: settings.warmups, log: ctx.log };

    const http = async (page: Page, label: string, rate?: number): Promise<HttpLoadResult> => {
      const input: HttpLoadInput = { url: pod.url, connections: CONNECTIONS, seconds: settings.seconds, targets: httpTargets(sessions, page), ...(rate === undefined ? {} : { rate }) };
      const result = await repeat({ ...repeated, label, key: (r: HttpLoadResult) => (rate === undefined ? r.perSecond : r.p99Ms) }, async () => {
        const r = await runPinned<HttpLoadInput, HttpLoadResult>(join(lib, 'http-load-runner.ts'), LOAD_CPU, input);
        if (r.failures > 0) throw new Error(`${label}: ${r.failures} of ${r.requests} requests failed (non-2xx or errors)`);
        return r;
      });
      const m = result.median;
      ctx.log(`${label}: ${formatNumber(m.perSecond)} req/s, p50 ${formatNumber(m.p50Ms)} ms, p99 ${formatNumber(m.p99Ms)} ms`);
      return m;
    };
    const sql = async (page: Page): Promise<LoopResult> => {
      const input: SqlLoadInput = { dbUrls, connectionsPerDb: POD_DB_CONNECTIONS, concurrency: CONNECTIONS, seconds: settings.seconds, query: page, limit: PAGE + 1, targets: sqlTargets(sessions, page) };
      const label = `raw mysql2 ${page} query`;
      const result = await repeat({ ...repeated, label, key: (r: LoopResult) => r.perSecond }, () => runPinned<SqlLoadInput, LoopResult>(join(lib, 'sql-load-runner.ts'), WEB_CPU, input));
      ctx.log(`${label}: ${formatNumber(result.median.perSecond)} queries/s, p50 ${formatNumber(result.median.p50Ms)} ms, p99 ${formatNumber(result.median.p99Ms)} ms`);
      return result.median;
    };

    let figures: Figure[];
    try {
      const inbox = await http('inbox', 'inbox page, alone');
      const inboxAtModel = await http('inbox', `inbox page at ${MODEL_RATE} req/s, alone`, MODEL_RATE);
      const rawInbox = await sql('inbox');
      const message = await http('message', 'open message, alone');
      const rawMessage = await sql('message');

      const ingestDir = join(tmpdir(), 'mailcluster-bench-web');
      mkdirSync(ingestDir, { recursive: true });
      const ingest = startPacedIngest({ host: smtpHost, port: Number(smtpPort), rate: settings.ingestRate, sessions: INGEST_SESSIONS, dir: ingestDir, from: 'bench@sender.example', to: ingestTo, log: ctx.log });
      let loaded: { inbox: HttpLoadResult; inboxAtModel: HttpLoadResult; message: HttpLoadResult };
      let ingested: IngestTotals;
      try {
        loaded = {
          inbox: await http('inbox', 'inbox page, under ingest'),
          inboxAtModel: await http('inbox', `inbox page at ${MODEL_RATE} req/s, under ingest`, MODEL_RATE),
          message: await http('message', 'open message, under ingest'),
        };
      } finally {
        ingested = await ingest.stop();
        ctx.log(`ingest: ${formatNumber(ingested.messages)} messages in ${formatNumber(ingested.seconds)} s = ${formatNumber(ingested.perSecond)} msgs/s (aim ${settings.ingestRate})`);
      }
      const underIngest = `while smtp-ingest took ${formatNumber(ingested.perSecond)} msgs/s of 5 KB mail (aim ${settings.ingestRate})`;
      figures = [
        { name: 'inbox page, one core', value: inbox.perSecond, unit: 'req/s', peer: { name: 'raw query', value: rawInbox.perSecond }, goal: { on: 'value', at: 'least', target: MODEL_RATE }, note: `p99 ${formatNumber(inbox.p99Ms)} ms at ${CONNECTIONS} connections` },
        { name: 'inbox page ÷ raw mysql2 query rate', value: inbox.perSecond, unit: 'req/s', peer: { name: 'raw query', value: rawInbox.perSecond }, goal: { on: 'ratio', at: 'least', target: 0.5 } },
        { name: `inbox page p99 at ${MODEL_RATE} req/s`, value: inboxAtModel.p99Ms, unit: 'ms', goal: { on: 'value', at: 'most', target: 100 }, note: `achieved ${formatNumber(inboxAtModel.perSecond)} req/s` },
        { name: 'open message, one core', value: message.perSecond, unit: 'req/s', peer: { name: 'raw query', value: rawMessage.perSecond }, goal: { on: 'ratio', at: 'least', target: 0.5 }, note: `p99 ${formatNumber(message.p99Ms)} ms` },
        { name: 'inbox page under ingest', value: loaded.inbox.perSecond, unit: 'req/s', peer: { name: 'alone', value: inbox.perSecond }, goal: { on: 'value', at: 'least', target: MODEL_RATE }, note: underIngest },
        { name: `inbox page p99 at ${MODEL_RATE} req/s under ingest`, value: loaded.inboxAtModel.p99Ms, unit: 'ms', peer: { name: 'alone', value: inboxAtModel.p99Ms }, goal: { on: 'value', at: 'most', target: 150 }, note: underIngest },
        { name: 'open message under ingest', value: loaded.message.perSecond, unit: 'req/s', peer: { name: 'alone', value: message.perSecond }, note: underIngest },
        { name: 'SMTP ingest beside the web load', value: ingested.perSecond, unit: 'msgs/s', peer: { name: 'aim', value: settings.ingestRate }, note: 'smtp-source bursts once a second' },
      ];
    } finally {
      await pod.stop();
      for (const line of profileSummary(ctx.repo)) ctx.log(line);
    }
    return figures;
  } finally {
    await store.close();
  }
}

export const web: Benchmark = { name: 'web', title: 'webmail inbox and message pages on one core, alone and under SMTP ingest', run };
