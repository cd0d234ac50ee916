import { setTimeout as sleep } from 'node:timers/promises';
import { addressPrefix, mailTableName } from '@mailcluster/common';
import { type MailStore, queryMailTable } from '@mailcluster/store';
import { runRecipients } from './smtp-source.ts';

/**
 * Counting what the writers stored for smtp-source runs, on every db: the "nothing lost, nothing
 * doubled" check of the SMTP benchmarks. A run sends message i to `${i}${to}` (smtp-source -N),
 * each its own recipient, so every recipient must end with exactly one row: rows = recipients = sent.
 */
export interface RunRows {
  rows: number;
  recipients: number;
}

export interface SentRun {
  /** The base recipient of the run; it must start with a letter and end no other run's `to`. */
  to: string;
  messages: number;
}

/** The prefixes of the runs' recipients (their first two characters: digits here, so at most 99). */
export function prefixesOf(runs: readonly SentRun[]): string[] {
  const prefixes = new Set(runs.flatMap((run) => runRecipients(run).map(addressPrefix)));
  return [...prefixes];
}

export async function countRows(store: MailStore, runs: readonly SentRun[], prefixes = prefixesOf(runs)): Promise<RunRows> {
  const patterns = runs.map((run) => `%${run.to}`);
  const where = patterns.map(() => 'EmailTo LIKE ?').join(' OR ');
  const counts = await Promise.all(
    prefixes.map((prefix) =>
      queryMailTable(store.pool(store.dbOfPrefix(prefix)), `SELECT COUNT(*) AS n, COUNT(DISTINCT EmailTo) AS d FROM \`${mailTableName(prefix)}\` WHERE ${where}`, patterns),
    ),
  );
  return counts.flat().reduce<RunRows>((sum, row) => ({ rows: sum.rows + Number(row.n), recipients: sum.recipients + Number(row.d) }), { rows: 0, recipients: 0 });
}

/**
 * Waits until every message of `runs` is a row; throws when the count stops growing for
 * `stallMs` (mail lost, or the writers stuck) or passes the number sent (mail doubled).
 * Resolves with the time (performance.now()) the last row was seen.
 */
export async function waitForRows(store: MailStore, runs: readonly SentRun[], options: { stallMs: number; pollMs: number; log?: (line: string) => void }): Promise<number> {
  const expected = runs.reduce((sum, run) => sum + run.messages, 0);
  const prefixes = prefixesOf(runs);
  let last = -1;
  let progressAt = performance.now();
  let loggedAt = performance.now();
  for (;;) {
    const { rows, recipients } = await countRows(store, runs, prefixes);
    const now = performance.now();
    if (rows > expected || rows !== recipients) throw new Error(`duplicated mail: ${rows} rows for ${recipients} recipients, ${expected} messages sent`);
    if (rows === expected) return now;
    if (rows !== last) {
      last = rows;
      progressAt = now;
    } else if (now - progressAt > options.stallMs) {
      throw new Error(`lost mail: ${rows} of ${expected} messages stored, no progress for ${Math.round(options.stallMs / 1000)} s`);
    }
    if (now - loggedAt > 10_000) {
      options.log?.(`stored ${rows.toLocaleString('en-US')} of ${expected.toLocaleString('en-US')}`);
      loggedAt = now;
    }
    await sleep(options.pollMs);
  }
}
