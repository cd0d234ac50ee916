/**
 * The floor of the web benchmark, run by runPinned on the web pod's core: the very SELECT the web
 * tier runs for an inbox page or an open message (the store's folderPageQuery / messageQuery),
 * straight through a mysql2 pool with the web pod's settings, at the HTTP load's concurrency.
 */
import { readFileSync } from 'node:fs';
import { fixedShardMapSource } from '@mailcluster/common';
import { FOLDERS, MailStore, folderPageQuery, messageQuery, userMailTable } from '@mailcluster/store';
import { closedLoop, type LoopResult } from './closed-loop.ts';

export interface SqlLoadInput {
  dbUrls: string[];
  /** The web pod's connections per db (its `dbConnections`). */
  connectionsPerDb: number;
  concurrency: number;
  seconds: number;
  query: 'inbox' | 'message';
  /** For `inbox`, the page size the web tier asks for (it reads one row more than it shows). */
  limit: number;
  targets: { address: string; id: number }[];
}

const input = JSON.parse(readFileSync(process.argv[2] as string, 'utf8')) as SqlLoadInput;
const store = MailStore.open(input.dbUrls, fixedShardMapSource(input.dbUrls.length), { connectionLimit: input.connectionsPerDb });

const result: LoopResult = await closedLoop({ concurrency: input.concurrency, seconds: input.seconds }, async () => {
  const target = input.targets[Math.floor(Math.random() * input.targets.length)] as SqlLoadInput['targets'][number];
  const table = userMailTable(target.address);
  const { sql, params } =
    input.query === 'inbox'
      ? folderPageQuery(table, target.address, { folder: FOLDERS.inbox, limit: input.limit })
      : messageQuery(table, target.address, target.id);
  await store.homePool(target.address).query(sql, params);
});
await store.close();
process.stdout.write(`${JSON.stringify(result)}\n`);
