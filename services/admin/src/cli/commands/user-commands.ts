import type { User } from '@mailcluster/store';
import { type Command, UsageError, limitOption, print, required, say } from '../cli-context.ts';

const USER_COLUMNS = ['address', 'name', 'quotaBytes', 'usedBytes', 'status', 'forwardTo'];

function userRow(user: User): Record<string, unknown> {
  return {
    address: user.address,
    name: user.displayName,
    quotaBytes: user.quotaBytes,
    usedBytes: user.usedBytes,
    status: user.disabled ? 'disabled' : 'active',
    forwardTo: user.forwardTo.join(' ') + (user.forwardTo.length > 0 && !user.keepForwardedCopy ? ' (no copy kept)' : ''),
  };
}

export const USER_COMMANDS: Record<string, Command> = {
  async 'user add'({ admin, options, readSecret }, [address]) {
    required(address, 'address');
    if (!options['password-stdin']) throw new UsageError('user add needs --password-stdin (the password is read from standard input)');
    const user = await admin.users.create({ address: address as string, password: await readSecret(), displayName: options.name, quota: options.quota });
    say(`added: ${user.address}`);
  },
  async 'user list'({ admin, options }) {
    const users = await admin.users.list({ domain: options.domain, search: options.search, after: options.after, limit: limitOption(options, 100) });
    print(options, users.map(userRow), USER_COLUMNS);
  },
  async 'user show'({ admin, options }, [address]) {
    print(options, [userRow(await admin.users.get(required(address, 'address')))], USER_COLUMNS);
  },
  async 'user disable'({ admin }, [address]) {
    await admin.users.setDisabled(required(address, 'address'), true);
    say(`disabled: ${address} (signed out everywhere)`);
  },
  async 'user enable'({ admin }, [address]) {
    await admin.users.setDisabled(required(address, 'address'), false);
    say(`enabled: ${address}`);
  },
  async 'user delete'({ admin }, [address]) {
    await admin.users.remove(required(address, 'address'));
    say(`deleted: ${address} (with all their mail)`);
  },
  async 'user passwd'({ admin, options, readSecret }, [address]) {
    required(address, 'address');
    if (!options['password-stdin']) throw new UsageError('user passwd needs --password-stdin');
    await admin.users.resetPassword(address as string, await readSecret());
    say(`password set: ${address} (signed out everywhere)`);
  },
  async 'user quota'({ admin }, [address, quota]) {
    await admin.users.setQuota(required(address, 'address'), required(quota, 'quota (bytes, or like 500M, 2G; 0 for none)'));
    say(`quota set: ${address}`);
  },
  async 'user forward'({ admin, options }, [address, ...targets]) {
    await admin.users.setForwarding(required(address, 'address'), targets, !options['drop-copy']);
    say(targets.length === 0 ? `forwarding off: ${address}` : `forwarding: ${address} → ${targets.join(', ')}${options['drop-copy'] ? ' (no copy kept)' : ''}`);
  },
  async 'user recount'({ admin }, [address]) {
    const bytes = await admin.users.recount(required(address, 'address'));
    say(`recounted: ${address} uses ${bytes} bytes`);
  },
};
