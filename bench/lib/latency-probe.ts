import { type Socket, connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { addressPrefix, mailTableName } from '@mailcluster/common';
import { type MailStore, queryMailTable } from '@mailcluster/store';

/**
 * 250 → row visible, measured on a sample: beside the load, this sends one message at a time at a
 * low rate, each to a recipient of its own, notes when its 250 arrives, and polls that recipient's
 * mail table until the row is there. Another connection sees a row only once its transaction has
 * committed, so this is the latency a reader of the mailbox sees, measured from the moment the
 * sender was told the message is ours. It is an upper bound by up to one poll interval plus one
 * query. Sampling (instead of comparing each row's ReceivedAt with its StoredAt) keeps both ends on
 * one clock and includes the commit, which StoredAt (set by the INSERT) does not.
 */
export interface ProbeOptions {
  host: string;
  port: number;
  store: MailStore;
  /** The message sent (CRLF line ends), the same for every probe: each has its own recipient. */
  message: Buffer;
  /** Recipients, one per probe, all with the same prefix (so one table is polled); sending stops when they run out. */
  recipients: readonly string[];
  intervalMs: number;
  pollMs: number;
}

export interface ProbeResult {
  latenciesMs: number[];
}

/** One SMTP session that sends a command and waits for its (possibly multi-line) reply. */
class ProbeSession {
  readonly #socket: Socket;
  #buffer = '';
  #waiting: ((reply: string) => void) | undefined;
  #failure: Error | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.#buffer += chunk;
      this.#deliver();
    });
    socket.on('error', (error) => (this.#failure = error));
    socket.on('close', () => (this.#failure ??= new Error('probe connection closed')));
  }

  static async open(host: string, port: number): Promise<ProbeSession> {
    const socket = connect(port, host);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const session = new ProbeSession(socket);
    await session.expect(undefined, 220);
    await session.expect('EHLO probe.bench.test', 250);
    return session;
  }

  #deliver(): void {
    // A reply ends with a line whose fourth character is a space ("250 ok"), not a dash.
    const match = /(?:^|\r\n)\d{3} [^\r\n]*\r\n/.exec(this.#buffer);
    if (match === null || this.#waiting === undefined) return;
    const end = match.index + match[0].length;
    const reply = this.#buffer.slice(0, end);
    this.#buffer = this.#buffer.slice(end);
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting(reply.replace(/^\r\n/, ''));
  }

  /** Sends `data` (if any) and waits for a reply with `code`. */
  async expect(data: string | Buffer | undefined, code: number): Promise<void> {
    if (this.#failure) throw this.#failure;
    let timer: NodeJS.Timeout | undefined;
    const reply = new Promise<string>((resolve) => {
      this.#waiting = resolve;
      timer = setTimeout(() => resolve('timeout: no reply in 30 s'), 30_000);
    });
    if (data !== undefined) this.#socket.write(typeof data === 'string' ? `${data}\r\n` : data);
    this.#deliver();
    const text = await reply;
    clearTimeout(timer);
    const last = text.trimEnd().split('\r\n').at(-1) ?? '';
    if (!last.startsWith(String(code))) throw new Error(`probe: expected ${code}, got ${JSON.stringify(last)}`);
  }

  close(): void {
    this.#socket.end('QUIT\r\n');
  }
}

export class LatencyProbe {
  readonly #options: ProbeOptions;
  readonly #latencies: number[] = [];
  /** Probes answered 250 whose row has not been seen yet: recipient → when the 250 arrived. */
  readonly #pending = new Map<string, number>();
  #stopping = false;
  readonly #sending: Promise<void>;
  readonly #polling: Promise<void>;

  private constructor(options: ProbeOptions, session: ProbeSession) {
    this.#options = options;
    this.#sending = this.#send(session).finally(() => session.close());
    this.#polling = this.#poll();
    // Failures surface in stop(); until then they must not count as unhandled.
    this.#sending.catch(() => {});
    this.#polling.catch(() => {});
  }

  static async start(options: ProbeOptions): Promise<LatencyProbe> {
    if (new Set(options.recipients.map(addressPrefix)).size !== 1) throw new Error('probe recipients must share one prefix');
    return new LatencyProbe(options, await ProbeSession.open(options.host, options.port));
  }

  async #send(session: ProbeSession): Promise<void> {
    const body = Buffer.concat([Buffer.from(this.#options.message.toString('latin1').replace(/^\./gm, '..'), 'latin1'), Buffer.from('.\r\n')]);
    for (const recipient of this.#options.recipients) {
      if (this.#stopping) return;
      const started = performance.now();
      await session.expect('MAIL FROM:<probe@sender.example>', 250);
      await session.expect(`RCPT TO:<${recipient}>`, 250);
      await session.expect('DATA', 354);
      await session.expect(body, 250);
      this.#pending.set(recipient, performance.now());
      await sleep(Math.max(0, this.#options.intervalMs - (performance.now() - started)));
    }
  }

  async #poll(): Promise<void> {
    const { store, recipients, pollMs } = this.#options;
    const prefix = addressPrefix(recipients[0] ?? '');
    const pool = store.pool(store.dbOfPrefix(prefix));
    while (!this.#stopping || this.#pending.size > 0) {
      if (this.#pending.size > 0) {
        const rows = await queryMailTable(pool, `SELECT EmailTo FROM \`${mailTableName(prefix)}\` WHERE EmailTo IN (?)`, [[...this.#pending.keys()]]);
        const seenAt = performance.now();
        for (const row of rows) {
          const sentAt = this.#pending.get(String(row.EmailTo));
          if (sentAt === undefined) continue;
          this.#latencies.push(seenAt - sentAt);
          this.#pending.delete(String(row.EmailTo));
        }
      }
      await sleep(pollMs);
    }
  }

  /** Stops sending and waits (up to `timeoutMs`) for the rows of the probes already answered. */
  async stop(timeoutMs: number): Promise<ProbeResult> {
    this.#stopping = true;
    await this.#sending;
    const timeout = new AbortController();
    const late = sleep(timeoutMs, undefined, { signal: timeout.signal }).then(() => {
      const missing = this.#pending.size;
      this.#pending.clear(); // ends the poll loop
      throw new Error(`probe: ${missing} probe message(s) answered 250 but not stored after ${timeoutMs / 1000} s`);
    }, () => {});
    try {
      await Promise.race([this.#polling, late]);
    } finally {
      timeout.abort();
    }
    return { latenciesMs: this.#latencies };
  }
}
