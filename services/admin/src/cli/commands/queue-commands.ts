import type { QueuedDelivery } from '../../outbound-queue.ts';
import { type Command, limitOption, print, required, say } from '../cli-context.ts';

const COLUMNS = ['id', 'to', 'from', 'age', 'attempts', 'nextAttempt', 'lastError'] as const;

function row(entry: QueuedDelivery, now: number): Record<(typeof COLUMNS)[number], unknown> {
  const next = entry.state?.nextAttemptAt ?? 0;
  return {
    id: entry.id.slice(0, 12),
    to: entry.to,
    from: entry.from === '' ? '<>' : entry.from,
    age: duration(now - entry.acceptedAt.getTime()),
    attempts: entry.state?.attempts ?? 0,
    nextAttempt: next - now >= 1_000 ? `in ${duration(next - now)}` : 'now',
    lastError: entry.state?.lastError ?? '',
  };
}

function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7_200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 3_600)}h`;
  return `${Math.round(s / 86_400)}d`;
}

export const QUEUE_COMMANDS: Record<string, Command> = {
  async 'queue list'({ outboundQueue, options }) {
    const entries = await (await outboundQueue()).list(limitOption(options, 100));
    if (options.json) {
      process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
      return;
    }
    const now = Date.now();
    print(options, entries.map((entry) => row(entry, now)), COLUMNS);
  },
  async 'queue retry'({ admin, outboundQueue }, [id]) {
    const queue = await outboundQueue();
    const entry = await admin.audit.change('queue.retry', required(id, 'delivery id'), null, () => queue.retry(required(id, 'delivery id')));
    say(`queued for delivery now: ${entry.id.slice(0, 12)} to ${entry.to}`);
  },
  async 'queue drop'({ admin, outboundQueue }, [id]) {
    const queue = await outboundQueue();
    const entry = await admin.audit.change('queue.drop', required(id, 'delivery id'), null, () => queue.drop(required(id, 'delivery id')));
    say(`dropped without delivery or bounce: ${entry.id.slice(0, 12)} to ${entry.to}`);
  },
};
