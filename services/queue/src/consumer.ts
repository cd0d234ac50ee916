import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@mailcluster/common';
import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';

export interface ConsumerLoopOptions {
  js: JetStreamClient;
  log: Logger;
  stream: string;
  /** The durable pull consumer all pods of the service share. */
  consumer: string;
  /** Most messages delivered to this process and not yet handed on; bounds memory and redelivery. */
  maxBuffered: number;
  /** Called for each message; waiting here is how the loop slows down (backpressure). */
  onMessage: (msg: JsMsg) => Promise<void>;
}

export interface ConsumerLoop {
  /** Stops pulling; resolves when the last pulled message has been handed on. */
  stop(): Promise<void>;
}

/**
 * Pulls messages from a durable consumer for as long as the process lives. The client's
 * `consume()` iterator can end on its own (consumer or stream recreated, heartbeats missed after a
 * broker restart, a reconnect it did not survive); when it does, this loop opens a new one after a
 * back-off instead of going quiet, which is the failure the nats.js issue tracker warns about.
 */
export function startConsumerLoop({ js, log, stream, consumer: name, maxBuffered, onMessage }: ConsumerLoopOptions): ConsumerLoop {
  let stopping = false;
  let current: ConsumerMessages | undefined;

  const loop = (async () => {
    let backoffMs = 500;
    while (!stopping) {
      try {
        const consumer = await js.consumers.get(stream, name);
        current = await consumer.consume({ max_messages: maxBuffered });
        watchStatus(current, log, stream);
        log.info({ stream, consumer: name }, 'consuming');
        for await (const msg of current) {
          backoffMs = 500;
          await onMessage(msg);
        }
        if (!stopping) log.warn({ stream, consumer: name }, 'consumer iterator ended; reopening');
      } catch (error) {
        if (stopping) break;
        log.warn({ stream, consumer: name, err: error, retryInMs: backoffMs }, 'consumer failed; reopening');
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

function watchStatus(messages: ConsumerMessages, log: Logger, stream: string): void {
  void (async () => {
    for await (const status of messages.status()) {
      if (status.type === 'heartbeats_missed' || status.type === 'consumer_not_found' || status.type === 'stream_not_found' || status.type === 'consumer_deleted' || status.type === 'exceeded_limits') {
        log.warn({ stream, status }, 'consumer notification');
      }
    }
  })();
}
