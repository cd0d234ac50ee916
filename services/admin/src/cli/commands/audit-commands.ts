import { type Command, UsageError, limitOption, print } from '../cli-context.ts';

export const AUDIT_COMMANDS: Record<string, Command> = {
  async 'audit list'({ admin, options }) {
    const before = options.before === undefined ? undefined : Number(options.before);
    if (before !== undefined && !Number.isSafeInteger(before)) throw new UsageError('--before takes an entry id');
    const entries = await admin.audit.list({ actor: options.actor, action: options.action, target: options.target, before, limit: limitOption(options, 50) });
    print(
      options,
      entries.map((e) => ({ id: e.id, at: e.at.toISOString(), actor: e.actor, action: e.action, target: e.target, outcome: e.outcome, detail: e.detail ?? '' })),
      ['id', 'at', 'actor', 'action', 'target', 'outcome', 'detail'],
    );
  },
};
