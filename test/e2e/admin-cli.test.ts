import { describe, expect, it } from 'vitest';
import { holdersOf, plainMessage, sendTo } from '../support/admin.ts';
import { mailctl } from '../support/mailctl.ts';
import { homeDbOf, openTestStore, rowsFor, uniqueDomain } from '../support/stack.ts';

const PASSWORD = 'a long enough secret\n';

/** mailctl's administration commands (issue 8), each action and its refusals, against the stack's dbs. */
describe('mailctl administration', () => {
  const domain = uniqueDomain('cli');
  const at = (local: string) => `${local}@${domain}`;
  const ok = async (args: string[], input = '') => {
    const run = await mailctl(args, input);
    expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(0);
    return run.stdout;
  };
  const refused = async (args: string[], code: string, input = '') => {
    const run = await mailctl(args, input);
    expect(run.code, args.join(' ')).toBe(1);
    expect(run.stderr).toContain(`(${code})`);
  };
  const json = async <T>(args: string[]) => JSON.parse(await ok([...args, '--json'])) as T;

  it('sets domain defaults: new users get the default quota; a catch-all must be a mailbox', async () => {
    await ok(['domain', 'add', domain, '--quota', '50M']);
    await ok(['user', 'add', at('ann'), '--password-stdin'], PASSWORD);
    expect(await json<{ quotaBytes: number }[]>(['user', 'show', at('ann')])).toMatchObject([{ quotaBytes: 50 * 1024 ** 2 }]);
    await ok(['domain', 'set', domain, '--quota', '1G', '--catch-all', at('ann')]);
    expect((await json<{ domain: string; catchAll: string }[]>(['domain', 'list'])).find((d) => d.domain === domain)).toEqual({ domain, defaultQuotaBytes: 1024 ** 3, catchAll: at('ann') });
    await refused(['domain', 'set', domain, '--catch-all', at('nobody')], 'ADMIN_ERR_UNKNOWN_USER');
    await refused(['domain', 'set', domain, '--catch-all', 'x@elsewhere.example'], 'ADMIN_ERR_EXTERNAL_FORWARD');
    await refused(['domain', 'set', 'unknown-domain.test', '--quota', '1G'], 'ADMIN_ERR_UNKNOWN_DOMAIN');
    await refused(['domain', 'set', domain, '--quota', 'lots'], 'ADMIN_ERR_BAD_QUOTA');
  });

  it('changes users: quota, disable/enable, password, forwarding, search, delete', async () => {
    await ok(['user', 'add', at('bob'), '--password-stdin', '--name', 'Bob Builder'], PASSWORD);
    await ok(['user', 'quota', at('bob'), '2G']);
    await ok(['user', 'disable', at('bob')]);
    expect(await json<unknown[]>(['user', 'show', at('bob')])).toMatchObject([{ quotaBytes: 2 * 1024 ** 3, status: 'disabled' }]);
    await ok(['user', 'enable', at('bob')]);
    await ok(['user', 'passwd', at('bob'), '--password-stdin'], 'another fine secret\n');
    await refused(['user', 'passwd', at('bob'), '--password-stdin'], 'ADMIN_ERR_WEAK_PASSWORD', 'short\n');
    await ok(['user', 'forward', at('bob'), at('ann'), '--drop-copy']);
    expect(await json<unknown[]>(['user', 'show', at('bob')])).toMatchObject([{ forwardTo: `${at('ann')} (no copy kept)` }]);
    await refused(['user', 'forward', at('bob'), 'x@elsewhere.example'], 'ADMIN_ERR_EXTERNAL_FORWARD');
    await ok(['user', 'forward', at('bob')]);
    expect((await json<{ address: string }[]>(['user', 'list', '--search', 'Bob B'])).map((u) => u.address)).toContain(at('bob'));
    expect((await json<{ address: string }[]>(['user', 'list', '--domain', domain, '--search', 'an'])).map((u) => u.address)).toEqual([at('ann')]);
    expect(await ok(['user', 'recount', at('bob')])).toContain('uses 0 bytes');
    await ok(['user', 'delete', at('bob')]);
    await refused(['user', 'show', at('bob')], 'ADMIN_ERR_UNKNOWN_USER');
    await refused(['user', 'delete', at('bob')], 'ADMIN_ERR_UNKNOWN_USER');
    await refused(['user', 'quota', at('nobody'), '1G'], 'ADMIN_ERR_UNKNOWN_USER');
    await refused(['user', 'disable', 'not an address'], 'ADMIN_ERR_BAD_ADDRESS');
  });

  it('manages aliases, which cannot be users and users cannot be aliases', async () => {
    await ok(['user', 'add', at('cat'), '--password-stdin'], PASSWORD);
    expect(await ok(['alias', 'add', at('team'), at('ann'), at('cat')])).toContain(`${at('team')} → ${at('ann')}, ${at('cat')}`);
    expect(await json<unknown[]>(['alias', 'list', '--domain', domain])).toEqual([{ alias: at('team'), targets: [at('ann'), at('cat')] }]);
    await refused(['alias', 'add', at('ann'), at('cat')], 'ADMIN_ERR_ADDRESS_TAKEN');
    await refused(['user', 'add', at('team'), '--password-stdin'], 'ADMIN_ERR_ADDRESS_TAKEN', PASSWORD);
    await refused(['alias', 'add', at('team'), at('ghost')], 'ADMIN_ERR_UNKNOWN_USER');
    await refused(['alias', 'add', 'x@unknown-domain.test', at('ann')], 'ADMIN_ERR_UNKNOWN_DOMAIN');
    await ok(['alias', 'remove', at('team'), at('cat')]);
    expect(await json<unknown[]>(['alias', 'list', '--domain', domain])).toEqual([{ alias: at('team'), targets: [at('ann')] }]);
    await ok(['alias', 'remove', at('team')]);
    await refused(['alias', 'remove', at('team')], 'ADMIN_ERR_UNKNOWN_ALIAS');
  });

  it('manages admin accounts and tokens', async () => {
    const name = `ops-${domain.slice(4, 12)}`;
    await ok(['admin', 'add', name, '--password-stdin', '--role', 'viewer'], PASSWORD);
    await refused(['admin', 'add', name, '--password-stdin'], 'ADMIN_ERR_DUPLICATE_ADMIN', PASSWORD);
    await refused(['admin', 'add', 'Not Valid', '--password-stdin'], 'ADMIN_ERR_BAD_ADMIN_NAME', PASSWORD);
    expect((await json<{ name: string; role: string }[]>(['admin', 'list'])).find((a) => a.name === name)).toMatchObject({ role: 'viewer' });
    const [created] = await json<{ id: string; token: string }[]>(['token', 'create', name, '--label', 'ci']);
    const { id, token } = created!;
    expect(token).toMatch(/^mca_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect((await json<{ id: string; role: string }[]>(['token', 'list', name])).map((t) => [t.id, t.role])).toEqual([[id, 'viewer']]);
    await ok(['token', 'revoke', id]);
    await refused(['token', 'revoke', id], 'ADMIN_ERR_UNKNOWN_TOKEN');
    await ok(['admin', 'passwd', name, '--password-stdin'], 'yet another secret\n');
    await ok(['admin', 'delete', name]);
    await refused(['admin', 'delete', name], 'ADMIN_ERR_UNKNOWN_ADMIN');
  });

  it('deletes a user with their mail: the rows leave their shard table on their home db', async () => {
    const store = await openTestStore();
    try {
      await ok(['user', 'add', at('dora'), '--password-stdin'], PASSWORD);
      const sent = [plainMessage(at('dora'), 'one'), plainMessage(at('dora'), 'two', 2_000)];
      for (const { raw } of sent) expect((await sendTo([at('dora')], raw)).final.code).toBe(250);
      for (const { messageId } of sent) expect(await holdersOf(store, [at('dora')], messageId, 1)).toEqual([at('dora')]);
      const rows = await rowsFor(store, [at('dora')]);
      expect(rows.map((row) => row.db)).toEqual([homeDbOf(at('dora')), homeDbOf(at('dora'))]);
      await ok(['user', 'delete', at('dora')]);
      expect(await rowsFor(store, [at('dora')])).toEqual([]);
      await refused(['user', 'show', at('dora')], 'ADMIN_ERR_UNKNOWN_USER');
    } finally {
      await store.close();
    }
  });

  it('removes a domain only with --force while it has users, and records everything in the audit log', async () => {
    await refused(['domain', 'remove', domain], 'ADMIN_ERR_DOMAIN_HAS_USERS');
    expect(await ok(['domain', 'remove', domain, '--force'])).toContain('(2 users with their mail)');
    await refused(['domain', 'remove', domain], 'ADMIN_ERR_UNKNOWN_DOMAIN');
    const entries = await json<{ action: string; target: string; outcome: string; actor: string }[]>(['audit', 'list', '--target', domain, '--limit', '10']);
    expect(entries.map((e) => [e.action, e.outcome])).toEqual([
      ['domain.remove', 'ADMIN_ERR_UNKNOWN_DOMAIN'],
      ['domain.remove', 'ok'],
      ['domain.remove', 'ADMIN_ERR_DOMAIN_HAS_USERS'],
      ['domain.set-quota', 'ADMIN_ERR_BAD_QUOTA'],
      ['domain.set-catch-all', 'ADMIN_ERR_EXTERNAL_FORWARD'],
      ['domain.set-catch-all', 'ADMIN_ERR_UNKNOWN_USER'],
      ['domain.set-catch-all', 'ok'],
      ['domain.set-quota', 'ok'],
      ['domain.add', 'ok'],
    ]);
    expect(entries[0]?.actor).toMatch(/^cli:/);
    expect((await json<unknown[]>(['audit', 'list', '--target', at('bob'), '--action', 'user.set-quota']))).toMatchObject([{ outcome: 'ok', detail: '{"quota":"2G"}' }]);
  });
});
