import type { MailStore } from '@mailcluster/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdersOf, plainMessage, sendTo, testAdmin } from '../support/admin.ts';
import { createUsers, openTestStore, rowsFor, uniqueDomain } from '../support/stack.ts';

/** Aliases, catch-all and forwarding, over SMTP to the stack's ingest (issue 8). */
describe('recipient resolution at ingest', () => {
  let store: MailStore;
  const domain = uniqueDomain('rcpt');
  const other = uniqueDomain('rcpt-nocatch');
  const at = (local: string) => `${local}@${domain}`;
  const everyone = ['ann', 'bob', 'cat', 'dan', 'eve', 'fay', 'team', 'sales', 'nobody'].map(at);

  beforeAll(async () => {
    store = await openTestStore();
    await createUsers(store, domain, ['ann', 'bob', 'cat', 'dan', 'eve', 'fay']);
    await createUsers(store, other, ['zed']);
    const admin = testAdmin(store);
    await admin.aliases.add(at('team'), [at('ann'), at('bob')]);
    await admin.aliases.add(at('sales'), [at('fay')]);
    await admin.domains.setCatchAll(domain, at('cat'));
    await admin.users.setForwarding(at('dan'), [at('ann')], true);
    await admin.users.setForwarding(at('eve'), [at('bob')], false);
  });

  afterAll(() => store?.close());

  it('delivers an alias to each of its mailboxes', async () => {
    const { raw, messageId } = plainMessage(at('team'), 'to the team');
    expect((await sendTo([at('team')], raw)).final.code).toBe(250);
    expect(await holdersOf(store, everyone, messageId, 2)).toEqual([at('ann'), at('bob')]);
  });

  it('delivers unknown addresses of a domain to its catch-all, and refuses them where there is none', async () => {
    const { raw, messageId } = plainMessage(at('whoever'), 'to anyone');
    expect((await sendTo([at('whoever')], raw)).final.code).toBe(250);
    expect(await holdersOf(store, everyone, messageId, 1)).toEqual([at('cat')]);
    const refused = await sendTo([`whoever@${other}`], raw);
    expect(refused.final.code).toBe(550);
    expect(refused.final.text).toMatch(/^5\.1\.1 /);
  });

  it('forwards with and without a copy kept in the forwarding mailbox', async () => {
    const kept = plainMessage(at('dan'), 'for dan');
    expect((await sendTo([at('dan')], kept.raw)).final.code).toBe(250);
    expect(await holdersOf(store, everyone, kept.messageId, 2)).toEqual([at('ann'), at('dan')]);
    const moved = plainMessage(at('eve'), 'for eve');
    expect((await sendTo([at('eve')], moved.raw)).final.code).toBe(250);
    expect(await holdersOf(store, everyone, moved.messageId, 1)).toEqual([at('bob')]);
  });

  it('stores one copy per mailbox when an alias and its target are both recipients', async () => {
    const { raw, messageId } = plainMessage(at('team'), 'twice addressed');
    const sent = await sendTo([at('team'), at('ann')], raw);
    expect(sent).toMatchObject({ final: { code: 250 }, accepted: [at('team'), at('ann')] });
    expect(await holdersOf(store, everyone, messageId, 2)).toEqual([at('ann'), at('bob')]);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await rowsFor(store, [at('ann')])).filter((row) => row.messageId === messageId)).toHaveLength(1);
  });

  it('skips disabled targets, and refuses an alias that has none left', async () => {
    const admin = testAdmin(store);
    await admin.users.setDisabled(at('fay'), true);
    // The directory keeps a live answer for up to 5 s; a fresh look sees fay disabled.
    await new Promise((resolve) => setTimeout(resolve, 5_500));
    const { raw } = plainMessage(at('sales'), 'nobody home');
    const refused = await sendTo([at('sales')], raw);
    expect(refused.final.code).toBe(550);
    expect((await sendTo([at('fay')], raw)).final.text).toMatch(/^5\.2\.1 /);
  });

  it('refuses to forward or alias to addresses outside the hosted domains (outbound forwarding is not there yet)', async () => {
    const admin = testAdmin(store);
    await expect(admin.aliases.add(at('ext'), ['someone@gmail.example'])).rejects.toMatchObject({ code: 'ADMIN_ERR_EXTERNAL_FORWARD' });
    await expect(admin.users.setForwarding(at('ann'), ['someone@gmail.example'], true)).rejects.toMatchObject({ code: 'ADMIN_ERR_EXTERNAL_FORWARD' });
  });
});
