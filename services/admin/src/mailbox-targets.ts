import { addressDomain } from '@mailcluster/common';
import { type MailStore, findDomain, findUser } from '@mailcluster/store';
import { AdminError } from './errors.ts';
import { parseAddress } from './inputs.ts';

/**
 * Where aliases, forwarding and catch-alls may send mail: existing mailboxes of hosted domains.
 * An address on another domain would need outbound delivery for the copy; until forwarding gets
 * that (with SRS, so SPF still passes), it is refused here, clearly, not accepted and lost later.
 * One hop only: a target's own forwarding is not followed, so no loop can form.
 */
export async function checkMailboxTargets(store: MailStore, inputs: readonly string[], options: { max: number; self?: string }): Promise<string[]> {
  const targets = [...new Set(inputs.map(parseAddress))];
  if (targets.length === 0 || targets.length > options.max) throw new AdminError('ADMIN_ERR_BAD_REQUEST', `give 1 to ${options.max} target addresses`);
  for (const target of targets) {
    if (target === options.self) throw new AdminError('ADMIN_ERR_BAD_REQUEST', `${target} cannot forward to itself`);
    if ((await findDomain(store.directory, addressDomain(target))) === null) throw new AdminError('ADMIN_ERR_EXTERNAL_FORWARD', target);
    if ((await findUser(store.homePool(target), target)) === null) throw new AdminError('ADMIN_ERR_UNKNOWN_USER', target);
  }
  return targets;
}
