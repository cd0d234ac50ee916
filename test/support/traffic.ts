import { buildMessage, type TestMessage } from './messages.ts';
import { type Delivery, deliver } from './sender.ts';
import { stack } from './stack.ts';

/** Runs `work` over `items` with `workers` in parallel, in order of start. */
export async function runConcurrently<T>(items: readonly T[], workers: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index] as T, index);
      }
    }),
  );
}

/** `count` plain messages to `recipients` in turn, ids `<label>-<n>`. */
export async function plainMessages(label: string, recipients: readonly string[], count: number): Promise<TestMessage[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) => buildMessage('plain', 'sender@outside.test', recipients[i % recipients.length] as string, `${label}-${i}`)),
  );
}

/**
 * Sends every message the way an MTA would (4xx and broken connections retried for up to
 * `retryForMs`), calling `onDelivered` after each 250 so a test can strike at that moment.
 */
export async function sendAll(
  messages: readonly TestMessage[],
  options: { workers?: number; retryForMs?: number; onDelivered?: (index: number) => Promise<void> | void } = {},
): Promise<Delivery[]> {
  const { host, port } = stack().smtp;
  const results: Delivery[] = new Array(messages.length);
  const retryDelayMs = 500;
  await runConcurrently(messages, options.workers ?? 4, async (message, index) => {
    const delivery = await deliver(host, port, { from: message.from, to: message.to, raw: message.raw }, {
      attempts: Math.ceil((options.retryForMs ?? 60_000) / retryDelayMs),
      retryDelayMs,
    });
    results[index] = delivery;
    if (delivery.outcome === 'delivered') await options.onDelivered?.(index);
  });
  return results;
}
