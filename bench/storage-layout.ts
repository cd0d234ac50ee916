/**
 * Issue 9, benchmark 3: the seed's layout (one mail table per two-letter prefix, up to 1,369 per
 * db) against one table holding every prefix, with the store's own DDL (same columns and indexes),
 * the store's own batched insert path (storeMessages in one transaction per batch, as the writer
 * runs it) and the web tier's own "newest 50 of a folder" SELECT (folderPageQuery), at 10⁵ and 10⁶
 * rows per db with a Zipf mailbox-size mix; and that batched path against single-row autocommit
 * INSERTs; then, at the first size, the inserts of both layouts without the FULLTEXT index, to see
 * what search costs. Everything runs in scratch databases on the stack's db 0, never in its mail tables.
 */
import { ALL_PREFIXES, addressPrefix, mailTableName } from '@mailcluster/common';
import {
  FOLDERS,
  MAIL_TABLE_V2_INDEXES,
  type MailStore,
  type NewMessageRow,
  type Pool,
  folderPageQuery,
  inTransaction,
  insertNewMessages,
  insertUsers,
  mailTableDdl,
  storeMessages,
} from '@mailcluster/store';
import { BenchMail, benchAddresses } from './lib/bench-mail.ts';
import type { BenchContext, Benchmark, Figure } from './lib/benchmark.ts';
import { closedLoop, type LoopResult } from './lib/closed-loop.ts';
import { scratchStore } from './lib/scratch-store.ts';
import { formatNumber, repeat } from './lib/stats.ts';
import { seededRandom, weightedSampler, zipfWeights } from './lib/zipf.ts';

type Layout = 'many' | 'one';
const LAYOUT_NAME: Record<Layout, string> = { many: '1,369 tables', one: 'one table' };
/** The one-table layout is the store's mail table under one name, holding every prefix. */
const ONE_TABLE_PREFIX = 'aa';

interface Settings {
  sizes: number[];
  users: number;
  /** Rows per measured insert run, and per single-row run. */
  insertRows: number;
  singleRows: number;
  querySeconds: number;
  runs: number;
  warmups: number;
  /** Create all 1,369 tables up front, as a db with a million users has them (~1 min); else only those the mail needs. */
  allTables: boolean;
}

const FULL: Settings = { sizes: [100_000, 1_000_000], users: 10_000, insertRows: 10_000, singleRows: 2_000, querySeconds: 8, runs: 3, warmups: 1, allTables: true };
const QUICK: Settings = { sizes: [10_000], users: 300, insertRows: 1_000, singleRows: 200, querySeconds: 2, runs: 1, warmups: 0, allTables: false };

/** As the writer runs it: batches of its default 200 copies, two writers on a db at once. */
const WRITER_BATCH = 200;
const WRITERS = 2;
/** The web pod's connections per db: the concurrency of the mailbox queries. */
const QUERY_CONNECTIONS = 8;
const PAGE = 50;
/** The bulk load (not measured): bigger transactions over more connections. */
const LOAD_BATCH = 1_000;
const LOAD_CONNECTIONS = 4;
const LOAD_CHUNK = 20_000;

/**
 * The mail of one db in arrival order: a Zipf mix over `users` mailboxes, 80 % in the Inbox, most
 * of it read, one message every 30 s. The same seed gives both layouts the same rows in the same order.
 */
class MailStream {
  readonly addresses: string[];
  readonly #random = seededRandom(9);
  readonly #mail = new BenchMail(seededRandom(10), 'storage-layout');
  readonly #recipient: () => number;
  #at = Date.UTC(2025, 0, 1);

  constructor(users: number) {
    this.addresses = benchAddresses(users, 'layout.test', seededRandom(11));
    this.#recipient = weightedSampler(zipfWeights(users), this.#random);
  }

  take(count: number): NewMessageRow[] {
    return Array.from({ length: count }, () => {
      const to = this.addresses[this.#recipient()] as string;
      const r = this.#random();
      const folder = r < 0.8 ? FOLDERS.inbox : r < 0.9 ? FOLDERS.sent : r < 0.95 ? FOLDERS.trash : 100;
      this.#at += 30_000;
      return this.#mail.row({ to, receivedAt: new Date(this.#at), folder, seen: this.#random() < 0.7, textBytes: 1200 + Math.floor(this.#random() * 1200) });
    });
  }
}

function prefixOf(layout: Layout, row: NewMessageRow): string {
  return layout === 'one' ? ONE_TABLE_PREFIX : addressPrefix(row.emailTo);
}

function groupByTable(layout: Layout, rows: readonly NewMessageRow[]): Map<string, NewMessageRow[]> {
  const groups = new Map<string, NewMessageRow[]>();
  for (const row of rows) {
    const prefix = prefixOf(layout, row);
    const group = groups.get(prefix);
    if (group) group.push(row);
    else groups.set(prefix, [row]);
  }
  return groups;
}

/** Runs `work` on `items` with `connections` connections of `pool`, each taking the next item. */
async function onConnections<T>(pool: Pool, connections: number, items: readonly T[], work: (conn: Awaited<ReturnType<Pool['getConnection']>>, item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      const conn = await pool.getConnection();
      try {
        while (next < items.length) await work(conn, items[next++] as T);
      } finally {
        conn.release();
      }
    }),
  );
}

/** The store's batched path: one transaction per batch, one multi-row INSERT per table (storeMessages). */
function storeBatches(pool: Pool, layout: Layout, batches: readonly NewMessageRow[][], connections: number): Promise<void> {
  return onConnections(pool, connections, batches, (conn, batch) => inTransaction(conn, () => storeMessages(conn, groupByTable(layout, batch))));
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

/** Bulk-loads rows in arrival order, each table's rows kept in order: bigger batches, grouped by table. */
async function load(ctx: BenchContext, store: MailStore, layout: Layout, stream: MailStream, from: number, to: number): Promise<void> {
  const started = performance.now();
  for (let done = from; done < to; ) {
    const rows = stream.take(Math.min(LOAD_CHUNK, to - done));
    // Per table in arrival order, packed into transactions of about LOAD_BATCH rows.
    const batches: NewMessageRow[][] = [];
    let current: NewMessageRow[] = [];
    for (const group of groupByTable(layout, rows).values()) {
      for (const row of group) {
        current.push(row);
        if (current.length >= LOAD_BATCH) {
          batches.push(current);
          current = [];
        }
      }
    }
    if (current.length > 0) batches.push(current);
    await storeBatches(store.pool(0), layout, batches, LOAD_CONNECTIONS);
    done += rows.length;
    const seconds = (performance.now() - started) / 1000;
    ctx.log(`load ${LAYOUT_NAME[layout]}: ${formatNumber(done)} / ${formatNumber(to)} rows (${formatNumber((done - from) / seconds)} rows/s)`);
  }
}

interface InsertRun {
  rowsPerSecond: number;
}

async function timedInsert(rows: number, insert: () => Promise<void>): Promise<InsertRun> {
  const started = performance.now();
  await insert();
  return { rowsPerSecond: rows / ((performance.now() - started) / 1000) };
}

/** What one layout measured at one size. */
interface SizeResult {
  inserts: InsertRun;
  queries?: LoopResult;
}

/** The store's CREATE TABLE for a mail table without its FULLTEXT key (so InnoDB keeps no FTS tables for it either). */
function withoutSearchIndex(ddl: string): string {
  const search = MAIL_TABLE_V2_INDEXES.find((index) => index.name === 'Search');
  const line = `,\n  ${search?.clause ?? ''}`;
  if (search === undefined || !ddl.includes(line)) throw new Error('the mail table DDL no longer has the Search line this benchmark removes');
  return ddl.replace(line, '');
}

/**
 * One layout, its tables as the store makes them; or, with `fulltext` false, without their FULLTEXT
 * index and inserts only (what search costs the writers, ADR 0007: the index serves no mailbox
 * query, and the single-row comparison is made once, as stored).
 */
async function measureLayout(ctx: BenchContext, settings: Settings, layout: Layout, fulltext = true): Promise<{ bySize: SizeResult[]; single?: InsertRun; batched?: InsertRun }> {
  const scratch = await scratchStore(dbUrl(), layout, Math.max(QUERY_CONNECTIONS, LOAD_CONNECTIONS));
  try {
    const { store } = scratch;
    const pool = store.pool(0);
    const stream = new MailStream(settings.users);
    await insertUsers(pool, stream.addresses.map((address) => ({ address, passwordHash: 'x', domain: 'layout.test' })));
    const prefixes = layout === 'one' ? [ONE_TABLE_PREFIX] : settings.allTables ? ALL_PREFIXES : [...new Set(stream.addresses.map(addressPrefix))];
    const created = performance.now();
    await onConnections(pool, LOAD_CONNECTIONS, prefixes, async (conn, prefix) => {
      if (fulltext) await store.ensureMailTable(0, prefix);
      else await conn.query(withoutSearchIndex(mailTableDdl(mailTableName(prefix))));
    });
    ctx.log(`${LAYOUT_NAME[layout]}${fulltext ? '' : ' without FULLTEXT'}: ${prefixes.length} table(s) created in ${formatNumber((performance.now() - created) / 1000)} s (database ${scratch.database})`);

    const queryUsers = seededRandom(12);
    const bySize: SizeResult[] = [];
    let rows = 0;
    for (const size of settings.sizes) {
      await load(ctx, store, layout, stream, rows, size);
      rows = size;
      const queries = fulltext ? (await repeat(
        { runs: settings.runs, warmups: settings.warmups, key: (r) => r.perSecond, log: ctx.log, label: `${LAYOUT_NAME[layout]} @${formatNumber(size)}: newest ${PAGE} queries/s` },
        () =>
          closedLoop({ concurrency: QUERY_CONNECTIONS, seconds: settings.querySeconds }, async () => {
            const address = stream.addresses[Math.floor(queryUsers() * stream.addresses.length)] as string;
            const table = mailTableName(layout === 'one' ? ONE_TABLE_PREFIX : addressPrefix(address));
            const { sql, params } = folderPageQuery(table, address, { folder: FOLDERS.inbox, limit: PAGE });
            await pool.query(sql, params);
          }),
      )).median : undefined;
      if (queries) ctx.log(`${LAYOUT_NAME[layout]} @${formatNumber(size)}: ${formatNumber(queries.perSecond)} queries/s, p50 ${formatNumber(queries.p50Ms)} ms, p99 ${formatNumber(queries.p99Ms)} ms`);
      const inserts = await repeat(
        { runs: settings.runs, warmups: settings.warmups, key: (r) => r.rowsPerSecond, log: ctx.log, label: `${LAYOUT_NAME[layout]} @${formatNumber(size)}: batched inserts rows/s` },
        () => {
          const batches = chunks(stream.take(settings.insertRows), WRITER_BATCH);
          return timedInsert(settings.insertRows, () => storeBatches(pool, layout, batches, WRITERS));
        },
      );
      rows += (settings.runs + settings.warmups) * settings.insertRows;
      bySize.push({ inserts: inserts.median, ...(queries ? { queries } : {}) });
    }
    if (layout === 'one' || !fulltext) return { bySize };

    // Batched against single-row autocommit, back to back on the same tables and size.
    const single = await repeat(
      { runs: settings.runs, warmups: settings.warmups, key: (r) => r.rowsPerSecond, log: ctx.log, label: 'single-row autocommit rows/s' },
      () => {
        const batch = stream.take(settings.singleRows);
        return timedInsert(batch.length, () => onConnections(pool, WRITERS, batch, async (conn, row) => {
          await insertNewMessages(conn, addressPrefix(row.emailTo), [row]);
        }));
      },
    );
    const batched = bySize.at(-1)?.inserts;
    return { bySize, single: single.median, ...(batched ? { batched } : {}) };
  } finally {
    const dropping = performance.now();
    await scratch.drop();
    ctx.log(`${LAYOUT_NAME[layout]}: scratch database dropped in ${formatNumber((performance.now() - dropping) / 1000)} s`);
  }
}

function dbUrl(): string {
  const url = process.env.MAILCLUSTER_DB_URLS?.split(',')[0];
  if (url === undefined || url === '') throw new Error('MAILCLUSTER_DB_URLS is not set: run through hack/bench.sh (it brings the stack up)');
  return url;
}

async function run(ctx: BenchContext): Promise<Figure[]> {
  const settings = ctx.quick ? QUICK : FULL;
  ctx.log(
    `inputs: ${settings.sizes.map((s) => formatNumber(s)).join(' and ')} rows per db, ${formatNumber(settings.users)} mailboxes (Zipf s=1, biggest first: ` +
      `role accounts), rows of ~2.5 KB (1.2–2.4 KB of text, full-text indexed); inserts: the store's storeMessages in batches of ${WRITER_BATCH} ` +
      `on ${WRITERS} connections (${formatNumber(settings.insertRows)} rows per run); queries: the web tier's folderPageQuery (newest ${PAGE} of the Inbox) ` +
      `for uniformly drawn users on ${QUERY_CONNECTIONS} connections for ${settings.querySeconds} s per run; ${settings.runs} run(s) after ${settings.warmups} warm-up(s)`,
  );
  // One layout at a time, each in its own database with the whole buffer pool: a db holds one layout.
  const one = await measureLayout(ctx, settings, 'one');
  const many = await measureLayout(ctx, settings, 'many');
  const figures: Figure[] = [];
  settings.sizes.forEach((size, i) => {
    const m = many.bySize[i] as SizeResult;
    const o = one.bySize[i] as SizeResult;
    const mq = m.queries as LoopResult;
    const oq = o.queries as LoopResult;
    const at = `at ${formatNumber(size)} rows`;
    const last = i === settings.sizes.length - 1;
    figures.push(
      { name: `inserts, 1,369 tables vs one, ${at}`, value: m.inserts.rowsPerSecond, unit: 'rows/s', peer: { name: 'one table', value: o.inserts.rowsPerSecond }, goal: { on: 'ratio', at: 'least', target: 0.9 } },
      {
        name: `newest 50 queries, 1,369 tables vs one, ${at}`,
        value: mq.perSecond,
        unit: 'queries/s',
        peer: { name: 'one table', value: oq.perSecond },
        ...(last ? { goal: { on: 'ratio', at: 'least', target: 1 } } : {}),
      },
      { name: `newest 50 query p50, ${at}`, value: mq.p50Ms, unit: 'ms', peer: { name: 'one table', value: oq.p50Ms } },
      { name: `newest 50 query p99, ${at}`, value: mq.p99Ms, unit: 'ms', peer: { name: 'one table', value: oq.p99Ms }, ...(last ? { goal: { on: 'ratio', at: 'most', target: 1 } } : {}) },
    );
  });
  figures.push(...(await withoutFulltext(ctx, settings, one.bySize[0] as SizeResult, many.bySize[0] as SizeResult)));
  if (many.batched && many.single) {
    figures.push({
      name: 'batched (storeMessages, 200 per transaction) vs single-row autocommit INSERT',
      value: many.batched.rowsPerSecond,
      unit: 'rows/s',
      peer: { name: 'single-row', value: many.single.rowsPerSecond },
      note: `1,369 tables, ${WRITERS} connections each; the batched path also keeps quota use in the same transaction`,
    });
  }
  return figures;
}

/**
 * The same inserts at the first size with tables made without the FULLTEXT index: how much of each
 * layout's insert cost is search (ADR 0007), and whether the 1,369 tables' gap is.
 */
async function withoutFulltext(ctx: BenchContext, settings: Settings, one: SizeResult, many: SizeResult): Promise<Figure[]> {
  const first = { ...settings, sizes: settings.sizes.slice(0, 1) };
  const oneBare = (await measureLayout(ctx, first, 'one', false)).bySize[0] as SizeResult;
  const manyBare = (await measureLayout(ctx, first, 'many', false)).bySize[0] as SizeResult;
  const at = `at ${formatNumber(first.sizes[0] as number)} rows`;
  return [
    { name: `inserts without FULLTEXT, 1,369 tables vs one, ${at}`, value: manyBare.inserts.rowsPerSecond, unit: 'rows/s', peer: { name: 'one table', value: oneBare.inserts.rowsPerSecond } },
    { name: `inserts with FULLTEXT vs without, one table, ${at}`, value: one.inserts.rowsPerSecond, unit: 'rows/s', peer: { name: 'without', value: oneBare.inserts.rowsPerSecond } },
    { name: `inserts with FULLTEXT vs without, 1,369 tables, ${at}`, value: many.inserts.rowsPerSecond, unit: 'rows/s', peer: { name: 'without', value: manyBare.inserts.rowsPerSecond } },
  ];
}

export const storageLayout: Benchmark = { name: 'storage-layout', title: '1,369 shard tables vs one table; batched vs single-row inserts', run };
