import type { Logger } from '@mailcluster/common';
import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { DEAD_DELIVERIES_HEADER, DEAD_REASON_HEADER, MAIL_DEAD_STREAM } from './names.ts';

/**
 * Moves a message that can never be processed to MAIL_DEAD (same bytes, reason and delivery count
 * in headers, subject `mail.dead.<stream>.<last token>`), then terminates it. Returns false, and
 * leaves the message alone, when the dead-letter publish fails: it is never just dropped.
 */
export async function deadLetter(js: JetStreamClient, msg: JsMsg, reason: string, error: unknown, log: Logger): Promise<boolean> {
  const [, kind = 'x', last = '_'] = [msg.subject.split('.')[0], msg.subject.split('.')[1], msg.subject.split('.').at(-1)];
  const h = natsHeaders();
  h.set(DEAD_REASON_HEADER, `${reason}: ${error instanceof Error ? error.message : String(error)}`.slice(0, 1000));
  h.set(DEAD_DELIVERIES_HEADER, String(msg.info.deliveryCount));
  const msgId = msg.headers?.get('Nats-Msg-Id');
  try {
    await js.publish(`mail.dead.${kind}.${last}`, msg.data, {
      headers: h,
      expect: { streamName: MAIL_DEAD_STREAM },
      ...(msgId ? { msgID: `dead-${msgId}` } : {}),
    });
  } catch (publishError) {
    log.error({ err: publishError, seq: msg.seq }, 'dead-letter publish failed; message kept');
    return false;
  }
  msg.term(reason);
  log.error({ reason, err: error, seq: msg.seq, deliveries: msg.info.deliveryCount, subject: msg.subject }, 'message dead-lettered to MAIL_DEAD');
  return true;
}
