import { describe, expect, it } from 'vitest';
import { mailctl } from '../support/mailctl.ts';
import { deliver } from '../support/sender.ts';
import { stack, uniqueDomain } from '../support/stack.ts';
import { waitFor } from '../support/wait.ts';

describe('mailctl', () => {
  const domain = uniqueDomain('mailctl');

  it('adds a domain, idempotently', async () => {
    expect(await mailctl(['domain', 'add', domain])).toMatchObject({ code: 0, stdout: `added: ${domain}\n` });
    expect(await mailctl(['domain', 'add', domain.toUpperCase()])).toMatchObject({ code: 0, stdout: `already hosted: ${domain}\n` });
    const listed = await mailctl(['domain', 'list', '--json']);
    expect((JSON.parse(listed.stdout) as { domain: string }[]).map((d) => d.domain)).toContain(domain);
  });

  it('adds users with the password from stdin and lists them by domain', async () => {
    expect(await mailctl(['user', 'add', `Jo.Smith@${domain}`, '--password-stdin', '--name', 'Jo Smith'], 'a long enough secret\n')).toMatchObject({ code: 0, stdout: `added: jo.smith@${domain}\n` });
    expect((await mailctl(['user', 'add', `bob@${domain}`, '--password-stdin', '--quota', '1000000'], 'another good secret\n')).code).toBe(0);
    const table = await mailctl(['user', 'list', '--domain', domain]);
    expect(table.stdout.split('\n').slice(0, 3).map((line) => line.split(/\s{2,}/)[0])).toEqual(['ADDRESS', `bob@${domain}`, `jo.smith@${domain}`]);
    const json = JSON.parse((await mailctl(['user', 'list', '--domain', domain, '--json'])).stdout) as { address: string; quotaBytes: number; name: string }[];
    expect(json).toEqual([
      { address: `bob@${domain}`, name: '', quotaBytes: 1_000_000, usedBytes: 0, status: 'active', forwardTo: '' },
      { address: `jo.smith@${domain}`, name: 'Jo Smith', quotaBytes: 0, usedBytes: 0, status: 'active', forwardTo: '' },
    ]);
    const paged = JSON.parse((await mailctl(['user', 'list', '--domain', domain, '--after', `bob@${domain}`, '--json'])).stdout) as { address: string }[];
    expect(paged.map((u) => u.address)).toEqual([`jo.smith@${domain}`]);
  });

  it.each([
    [['user', 'add', 'x@' + 'unknown-domain.test', '--password-stdin'], 'a long enough secret', 'ADMIN_ERR_UNKNOWN_DOMAIN'],
    [['user', 'add', 'not an address', '--password-stdin'], 'a long enough secret', 'ADMIN_ERR_BAD_ADDRESS'],
    [['user', 'add', 'carol@DOMAIN', '--password-stdin'], 'short', 'ADMIN_ERR_WEAK_PASSWORD'],
    [['domain', 'add', 'not_a_domain'], '', 'ADMIN_ERR_BAD_DOMAIN'],
  ])('refuses %j (stdin %j) with exit 1 and %s', async (args, input, code) => {
    const result = await mailctl(args.map((a) => a.replace('DOMAIN', domain)), `${input}\n`);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`(${code})`);
  });

  it('refuses a duplicate user', async () => {
    const again = await mailctl(['user', 'add', `bob@${domain}`, '--password-stdin'], 'another good secret\n');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('ADMIN_ERR_DUPLICATE_USER');
  });

  it('lists the newest mail of a mailbox', async () => {
    const raw = Buffer.from(`From: a@outside.test\r\nSubject: listed by mailctl\r\nMessage-ID: <mailctl@e2e.test>\r\n\r\nhi\r\n`);
    expect((await deliver(stack().smtp.host, stack().smtp.port, { from: 'a@outside.test', to: [`bob@${domain}`], raw })).outcome).toBe('delivered');
    const listed = await waitFor('the message to be listed', async () => {
      const { stdout } = await mailctl(['mail', 'list', `bob@${domain}`, '--json']);
      const rows = JSON.parse(stdout) as { subject: string; from: string; seen: boolean }[];
      return rows.length > 0 ? rows : undefined;
    });
    expect(listed).toMatchObject([{ subject: 'listed by mailctl', from: 'a@outside.test', seen: false }]);
    expect((await mailctl(['mail', 'list', `nobody@${domain}`])).stderr).toContain('ADMIN_ERR_UNKNOWN_USER');
    expect((await mailctl(['mail', 'list', `bob@${domain}`, '--folder', 'spam'])).code).toBe(2);
  });

  it('says what is wrong with its usage or configuration, with exit 2', async () => {
    expect((await mailctl(['user', 'add', `x@${domain}`])).stderr).toMatch(/--password-stdin/);
    expect((await mailctl(['frobnicate'])).code).toBe(2);
    const noEnv = await mailctl(['user', 'list'], '', { MAILCLUSTER_DB_URLS: '' });
    expect(noEnv.code).toBe(2);
    expect(noEnv.stderr).toContain('MAILCLUSTER_DB_URLS: required but not set');
  });
});
