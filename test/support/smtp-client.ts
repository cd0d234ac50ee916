import { type Socket, connect as connectTcp } from 'node:net';
import { connect as connectTls } from 'node:tls';

/** One SMTP reply: `code` and its text lines (multi-line replies joined). */
export interface SmtpReply {
  code: number;
  lines: string[];
  text: string;
}

/**
 * A deliberately small SMTP client for tests: it sends exactly the bytes it is given, so tests can
 * speak broken SMTP (smuggling sequences, huge lines, pipelining) as well as correct SMTP.
 */
export class SmtpClient {
  #socket: Socket;
  #buffer = '';
  #waiting: ((reply: SmtpReply | Error) => void)[] = [];
  #replies: (SmtpReply | Error)[] = [];
  #closed = false;
  greeting: SmtpReply | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    this.#attach(socket);
  }

  static async connect(host: string, port: number, options: { timeoutMs?: number; proxyHeader?: string } = {}): Promise<SmtpClient> {
    const socket = connectTcp({ host, port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.setTimeout(options.timeoutMs ?? 60_000, () => socket.destroy(new Error('SMTP client timeout')));
    if (options.proxyHeader !== undefined) socket.write(options.proxyHeader);
    const client = new SmtpClient(socket);
    client.greeting = await client.readReply();
    return client;
  }

  get closed(): boolean {
    return this.#closed;
  }

  #attach(socket: Socket): void {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.#buffer += chunk;
      this.#parse();
    });
    const fail = (error: Error) => {
      this.#closed = true;
      this.#deliver(error);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
  }

  #parse(): void {
    let lines: string[] = [];
    let start = 0;
    for (let end = this.#buffer.indexOf('\r\n', start); end !== -1; end = this.#buffer.indexOf('\r\n', start)) {
      const line = this.#buffer.slice(start, end);
      start = end + 2;
      lines.push(line);
      if (line[3] !== '-') {
        const code = Number(line.slice(0, 3));
        const text = lines.map((l) => l.slice(4));
        this.#deliver({ code, lines: text, text: text.join('\n') });
        this.#buffer = this.#buffer.slice(start);
        start = 0;
        lines = [];
      }
    }
  }

  #deliver(reply: SmtpReply | Error): void {
    const waiter = this.#waiting.shift();
    if (waiter) waiter(reply);
    else if (!(reply instanceof Error) || this.#replies.length === 0) this.#replies.push(reply);
  }

  readReply(): Promise<SmtpReply> {
    const ready = this.#replies.shift();
    if (ready !== undefined) return ready instanceof Error ? Promise.reject(ready) : Promise.resolve(ready);
    if (this.#closed) return Promise.reject(new Error('connection closed'));
    return new Promise((resolve, reject) => this.#waiting.push((r) => (r instanceof Error ? reject(r) : resolve(r))));
  }

  write(data: string | Buffer): void {
    this.#socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  async command(line: string): Promise<SmtpReply> {
    this.write(`${line}\r\n`);
    return this.readReply();
  }

  /** DATA with a correctly dot-stuffed body and terminator; returns the final reply (or the refusal of DATA). */
  async data(message: Buffer | string): Promise<SmtpReply> {
    const go = await this.command('DATA');
    if (go.code !== 354) return go;
    this.write(dotStuff(typeof message === 'string' ? Buffer.from(message) : message));
    return this.readReply();
  }

  /** DATA followed by exactly these bytes (the caller writes the terminator, or a false one). */
  async dataRaw(bytes: Buffer | string): Promise<SmtpReply> {
    const go = await this.command('DATA');
    if (go.code !== 354) return go;
    this.write(bytes);
    return this.readReply();
  }

  async startTls(servername = 'localhost'): Promise<SmtpReply> {
    const reply = await this.command('STARTTLS');
    if (reply.code !== 220) return reply;
    this.#socket.removeAllListeners('data');
    this.#socket.removeAllListeners('close');
    this.#socket.removeAllListeners('error');
    const secure = connectTls({ socket: this.#socket, servername, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', resolve);
      secure.once('error', reject);
    });
    this.#socket = secure;
    this.#attach(secure);
    return reply;
  }

  async quit(): Promise<void> {
    if (!this.#closed) await this.command('QUIT').catch(() => undefined);
    this.#socket.destroy();
  }

  destroy(): void {
    this.#socket.destroy();
  }
}

/** Body bytes as they go on the wire: CRLF line ends kept, leading dots doubled, CRLF.CRLF appended. */
export function dotStuff(message: Buffer): Buffer {
  let text = message.toString('latin1');
  if (!text.endsWith('\r\n')) text += '\r\n';
  text = text.replace(/(^|\r\n)\./g, '$1..');
  return Buffer.from(`${text}.\r\n`, 'latin1');
}
