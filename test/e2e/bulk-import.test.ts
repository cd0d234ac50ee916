import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '@mailcluster/admin';
import type { MailStore } from '@mailcluster/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testAdmin } from '../support/admin.ts';
import { mailctl } from '../support/mailctl.ts';
import { openTestStore, uniqueDomain } from '../support/stack.ts';

const USERS = 100_000;
/** Plain-password lines among them: each costs an argon2id hash here (~40 ms of CPU). */
const PLAIN = 200;

/** Bulk import and export of 100,000 users with mailctl (issue 8); the rates go to docs/benchmarks.md. */
describe('bulk user import', () => {
  let store: MailStore;
  const domain = uniqueDomain('bulk');
  const dir = mkdtempSync(join(tmpdir(), 'mc-import-'));
  const file = join(dir, 'users.csv');
  let hash = '';
  const counts = (stderr: string) => /done in ([\d.]+) s: (\d+) lines, (\d+) created, (\d+) existing, (\d+) rejected \((\d+) lines\/s; (\d+) plain/.exec(stderr)?.slice(1).map(Number);

  beforeAll(async () => {
    store = await openTestStore();
    await testAdmin(store).domains.add(domain, '1G');
    // Most lines carry a hash, as a migration from another system would; one hash for all keeps set-up quick.
    hash = await hashPassword('a password nobody uses');
    const lines = ['address,password,quota,name'];
    for (let i = 0; i < USERS; i++) {
      const password = i < PLAIN ? `plain password ${i}` : `"${hash}"`;
      lines.push(`user${String(i).padStart(6, '0')}@${domain},${password},${i % 3 === 0 ? '' : '500M'},User ${i}`);
    }
    writeFileSync(file, `${lines.join('\r\n')}\r\n`);
  });

  afterAll(async () => {
    const removal = await mailctl(['domain', 'remove', domain, '--force']);
    console.log(`bulk import: domain remove --force of ${USERS} users took ${removal.seconds.toFixed(1)} s`);
    await store?.close();
  });

  it('imports 100,000 users with a progress display and correct counts, and a re-run changes nothing', async () => {
    const first = await mailctl(['user', 'import', file]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/^import: \d+% · [\d,]+ · [\d,]+ created · 0 existing · 0 rejected · [\d,]+\/s · ETA \d+s$/m);
    const [seconds, lines, created, existing, rejected, , hashed] = counts(first.stderr) ?? [];
    expect({ lines, created, existing, rejected, hashed }).toEqual({ lines: USERS, created: USERS, existing: 0, rejected: 0, hashed: PLAIN });
    console.log(`bulk import: ${USERS} users (${PLAIN} plain passwords) in ${seconds} s = ${Math.round(USERS / seconds!)} lines/s`);
    const listed = await testAdmin(store).users.list({ domain, limit: 3, search: 'user00000' });
    expect(listed.map((u) => [u.address, u.quotaBytes, u.displayName])).toEqual([
      [`user000000@${domain}`, 1024 ** 3, 'User 0'],
      [`user000001@${domain}`, 500 * 1024 ** 2, 'User 1'],
      [`user000002@${domain}`, 500 * 1024 ** 2, 'User 2'],
    ]);

    const again = await mailctl(['user', 'import', file]);
    expect(again.code).toBe(0);
    expect(counts(again.stderr)?.slice(1)).toEqual([USERS, 0, USERS, 0, expect.any(Number), 0]);
    console.log(`bulk import: re-run in ${counts(again.stderr)?.[0]} s`);
  });

  it('imports the good lines of a file with 1% bad lines and reports each bad line', async () => {
    const bad = join(dir, 'one-percent-bad.csv');
    const lines: string[] = [];
    const expected: number[] = [];
    for (let i = 0; i < 10_000; i++) {
      if (i % 100 === 50) {
        lines.push([`bad ${i}@${domain},a long enough secret`, `short${i}@${domain},short`, `x${i}@unknown-domain.test,a long enough secret`, `q${i}@${domain},a long enough secret,lots`][Math.floor(i / 100) % 4] as string);
        expected.push(i + 1);
      } else lines.push(`more${String(i).padStart(5, '0')}@${domain},"${hash}"`);
    }
    writeFileSync(bad, `${lines.join('\n')}\n`);
    const run = await mailctl(['user', 'import', bad]);
    expect(run.code).toBe(1);
    expect(counts(run.stderr)?.slice(1, 5)).toEqual([10_000, 9_900, 0, 100]);
    const reported = [...run.stdout.matchAll(/^ {2}line (\d+): (ADMIN_ERR_\w+): /gm)].map((m) => Number(m[1]));
    expect(reported).toEqual(expected);
    expect(run.stdout).toMatch(/ADMIN_ERR_BAD_ADDRESS[\s\S]*ADMIN_ERR_WEAK_PASSWORD[\s\S]*ADMIN_ERR_UNKNOWN_DOMAIN[\s\S]*ADMIN_ERR_BAD_QUOTA/);
  });

  it('exports every user in the import format', async () => {
    const out = join(dir, 'export.csv');
    const run = await mailctl(['user', 'export', out, '--domain', domain]);
    expect(run.code, run.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\r\n');
    expect(lines).toHaveLength(1 + USERS + 9_900);
    expect(lines[1]).toMatch(new RegExp(`^more00000@${domain},"\\$argon2id\\$[^"]+",524288000,$`.replace('524288000', String(1024 ** 3))));
    console.log(`bulk export: ${lines.length - 1} users in ${run.seconds.toFixed(1)} s`);
  });
});
