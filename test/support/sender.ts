import { setTimeout as sleep } from 'node:timers/promises';
import { SmtpClient, type SmtpReply } from './smtp-client.ts';

export interface Envelope {
  from: string;
  to: readonly string[];
  raw: Buffer;
}

export interface Delivery {
  /** delivered: the final reply was 2xx; rejected: a 5xx; gave-up: still 4xx or no connection after every try. */
  outcome: 'delivered' | 'rejected' | 'gave-up';
  /** Recipients the server accepted in the transaction that got the final answer. */
  accepted: string[];
  final: SmtpReply | undefined;
  attempts: number;
}

/**
 * One SMTP transaction, whole: EHLO, MAIL FROM, RCPT TO each, DATA. Resolves with the final reply,
 * or rejects when the connection fails (the caller treats that like a 4xx, as an MTA does).
 */
export async function transact(host: string, port: number, envelope: Envelope): Promise<{ final: SmtpReply; accepted: string[] }> {
  const client = await SmtpClient.connect(host, port);
  try {
    if (client.greeting?.code !== 220) return { final: client.greeting ?? { code: 421, lines: [], text: '' }, accepted: [] };
    const ehlo = await client.command('EHLO sender.test');
    if (ehlo.code !== 250) return { final: ehlo, accepted: [] };
    const mail = await client.command(`MAIL FROM:<${envelope.from}>`);
    if (mail.code !== 250) return { final: mail, accepted: [] };
    const accepted: string[] = [];
    let lastRefusal: SmtpReply | undefined;
    for (const rcpt of envelope.to) {
      const reply = await client.command(`RCPT TO:<${rcpt}>`);
      if (reply.code === 250) accepted.push(rcpt);
      else lastRefusal = reply;
    }
    if (accepted.length === 0) return { final: lastRefusal ?? { code: 554, lines: [], text: '' }, accepted };
    return { final: await client.data(envelope.raw), accepted };
  } finally {
    await client.quit();
  }
}

/**
 * Delivers like a sending MTA: a 2xx ends it, a 5xx fails it, a 4xx or a broken connection is
 * retried after a pause, up to `attempts` times. Used by the fault tests, where "the sender
 * retries" is the other half of the no-loss promise.
 */
export async function deliver(
  host: string,
  port: number,
  envelope: Envelope,
  options: { attempts?: number; retryDelayMs?: number } = {},
): Promise<Delivery> {
  const attempts = options.attempts ?? 1;
  let final: SmtpReply | undefined;
  let accepted: string[] = [];
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      ({ final, accepted } = await transact(host, port, envelope));
      if (final.code < 400) return { outcome: 'delivered', accepted, final, attempts: attempt };
      if (final.code >= 500) return { outcome: 'rejected', accepted, final, attempts: attempt };
    } catch {
      final = undefined;
    }
    if (attempt < attempts) await sleep(options.retryDelayMs ?? 500);
  }
  return { outcome: 'gave-up', accepted, final, attempts };
}
