import type { Logger } from '@mailcluster/common';
import { type NatsConnection, connect } from '@nats-io/transport-node';

export type { NatsConnection };

export interface ConnectOptions {
  servers: string[];
  /** Shows in the server's connection list (`/connz`). */
  name: string;
  log: Logger;
}

export interface NatsLink {
  readonly nc: NatsConnection;
  /** Readiness check: throws while the connection is down or reconnecting. */
  assertConnected(): void;
}

/**
 * Connects to NATS and keeps reconnecting for ever: a mail service outlives broker restarts and
 * answers 451 while the broker is away instead of exiting. The first connect also retries, so pods
 * can start before NATS is ready.
 */
export async function connectNats({ servers, name, log }: ConnectOptions): Promise<NatsLink> {
  const nc = await connect({
    servers,
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    waitOnFirstConnect: true,
    pingInterval: 10_000,
    maxPingOut: 3,
    // Otherwise every request (each JetStream publish) captures two stack traces up front, for
    // errors that almost never happen: about 4% of ingest's CPU under load (issue 9 profiles).
    noAsyncTraces: true,
  });
  log.info({ server: nc.getServer() }, 'connected to NATS');
  let connected = true;
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect' || status.type === 'reconnecting') {
        if (connected) log.warn({ nats: status }, 'NATS connection lost; reconnecting');
        connected = false;
      } else if (status.type === 'reconnect') {
        connected = true;
        log.info({ server: nc.getServer() }, 'NATS reconnected');
      } else if (status.type === 'error') {
        log.warn({ nats: status }, 'NATS error');
      }
    }
  })();
  return {
    nc,
    assertConnected: () => {
      if (nc.isClosed()) throw new Error('NATS connection closed');
      if (!connected) throw new Error('NATS reconnecting');
    },
  };
}
