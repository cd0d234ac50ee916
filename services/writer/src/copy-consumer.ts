import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@mailcluster/common';
import { MAIL_IN_STREAM, WRITER_CONSUMER } from '@mailcluster/queue';
import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';

export interface CopyConsumerOptions {
  js: JetStreamClient;
  log: Logger;
  /** Most copies delivered to this process and not yet handed on; bounds memory and redelivery. */
  maxBuffered: number;
  /** Called for each copy; waiting here is how the consumer slows down (backpressure). */
  onCopy: (msg: JsMsg) => Promise<void>;
}

export interface CopyConsumer {
  /** Stops pulling; resolves when the last pulled copy has been handed on. */
  stop(): Promise<void>;
}

/**
 * Pulls copies from the writers' durable consumer for as long as the process lives. The client's
 * `consume()` iterator can end on its own (consumer or stream recreated, heartbeats missed after a
 * broker restart, a reconnect it did not survive); when it does, this loop opens a new one after a
 * back-off instead of going quiet, which is the failure the nats.js issue tracker warns about.
 */
export function startCopyConsumer({ js, log, maxBuffered, onCopy }: CopyConsumerOptions): CopyConsumer {
  let stopping = false;
  let current: ConsumerMessages | undefined;

  const loop = (async () => {
    let backoffMs = 500;
    while (!stopping) {
      try {
        const consumer = await js.consumers.get(MAIL_IN_STREAM, WRITER_CONSUMER);
        current = await consumer.consume({ max_messages: maxBuffered });
        watchStatus(current, log);
        log.info({ consumer: WRITER_CONSUMER }, 'consuming MAIL_IN');
        for await (const msg of current) {
          backoffMs = 500;
          await onCopy(msg);
        }
        if (!stopping) log.warn('MAIL_IN consumer iterator ended; reopening');
      } catch (error) {
        if (stopping) break;
        log.warn({ err: error, retryInMs: backoffMs }, 'MAIL_IN consumer failed; reopening');
      }
      if (!stopping) {
        await sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, 15_000);
      }
    }
  })();

  return {
    async stop() {
      stopping = true;
      await current?.close();
      await loop;
    },
  };
}

function watchStatus(messages: ConsumerMessages, log: Logger): void {
  void (async () => {
    for await (const status of messages.status()) {
      if (status.type === 'heartbeats_missed' || status.type === 'consumer_not_found' || status.type === 'stream_not_found' || status.type === 'consumer_deleted' || status.type === 'exceeded_limits') {
        log.warn({ status }, 'MAIL_IN consumer notification');
      }
    }
  })();
}
