import { type Command, limitOption, print, required, say } from '../cli-context.ts';

export const ALIAS_COMMANDS: Record<string, Command> = {
  async 'alias add'({ admin }, [address, ...targets]) {
    const alias = await admin.aliases.add(required(address, 'alias address'), targets);
    say(`alias: ${alias.address} → ${alias.targets.join(', ')}`);
  },
  async 'alias remove'({ admin }, [address, ...targets]) {
    await admin.aliases.remove(required(address, 'alias address'), targets);
    say(targets.length === 0 ? `removed: ${address}` : `removed from ${address}: ${targets.join(', ')}`);
  },
  async 'alias list'({ admin, options }) {
    const aliases = await admin.aliases.list({ domain: options.domain, after: options.after, limit: limitOption(options, 100) });
    print(options, aliases.map((a) => ({ alias: a.address, targets: options.json ? a.targets : a.targets.join(' ') })), ['alias', 'targets']);
  },
};
