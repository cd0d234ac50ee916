import { type Transporter, createTransport } from 'nodemailer';
import type { Target } from './destination.ts';

export interface PoolSettings {
  /** EHLO name. */
  hostname: string;
  connectionsPerDestination: number;
  messagesPerConnection: number;
  connectTimeoutMs: number;
  dataTimeoutMs: number;
}

/** What the remote server said about one message. */
export interface SendResult {
  /** The remote host that answered (for DSNs: Remote-MTA). */
  host: string;
  response: string;
}

const IDLE_CLOSE_MS = 5 * 60_000;

/**
 * Pooled SMTP connections to remote hosts: at most `connectionsPerDestination` per host, each
 * carrying several messages in turn (nodemailer's pool). TLS is opportunistic, as Postfix's
 * `smtp_tls_security_level = may`: STARTTLS whenever offered, without checking the certificate,
 * since MX certificates are routinely wrong and the alternative is plain text. Idle pools close.
 */
export class SmtpPool {
  readonly #settings: PoolSettings;
  readonly #transports = new Map<string, { transport: Transporter; lastUsed: number }>();
  readonly #sweeper: NodeJS.Timeout;

  constructor(settings: PoolSettings) {
    this.#settings = settings;
    this.#sweeper = setInterval(() => this.#closeIdle(), 60_000);
    this.#sweeper.unref();
  }

  /** Sends `raw` to one recipient through `host`. Rejects with nodemailer's error (responseCode when the server answered). */
  async send(target: Target, envelope: { from: string; to: string }, raw: Buffer): Promise<SendResult> {
    const info = (await this.#transport(target).sendMail({ envelope: { from: envelope.from, to: [envelope.to] }, raw })) as { response?: string };
    return { host: target.name ?? target.host, response: info.response ?? '' };
  }

  close(): void {
    clearInterval(this.#sweeper);
    for (const { transport } of this.#transports.values()) transport.close();
    this.#transports.clear();
  }

  #transport(target: Target): Transporter {
    const key = `${target.host}:${target.port}`;
    const entry = this.#transports.get(key);
    if (entry) {
      entry.lastUsed = Date.now();
      return entry.transport;
    }
    const s = this.#settings;
    const transport = createTransport({
      pool: true,
      host: target.host,
      port: target.port,
      name: s.hostname,
      secure: false,
      maxConnections: s.connectionsPerDestination,
      maxMessages: s.messagesPerConnection,
      connectionTimeout: s.connectTimeoutMs,
      greetingTimeout: s.connectTimeoutMs,
      socketTimeout: s.dataTimeoutMs,
      tls: { rejectUnauthorized: false, ...(target.name === undefined ? {} : { servername: target.name }) },
      logger: false,
    });
    this.#transports.set(key, { transport, lastUsed: Date.now() });
    return transport;
  }

  #closeIdle(): void {
    const now = Date.now();
    for (const [key, entry] of this.#transports) {
      if (now - entry.lastUsed < IDLE_CLOSE_MS) continue;
      entry.transport.close();
      this.#transports.delete(key);
    }
  }
}
