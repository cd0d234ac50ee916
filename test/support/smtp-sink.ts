import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './wait.ts';

/** The local stack's "internet": its delivery service relays every domain here. */
export const SINK_PORT = 2600;

export interface DumpedMessage {
  mailFrom: string;
  rcptTo: string[];
  /** The message as it arrived, CRLF line ends (smtp-sink writes LF), without smtp-sink's own Received line. */
  message: string;
}

/**
 * Postfix's smtp-sink on 127.0.0.1:2600, the remote server of outbound tests. Extra flags make it
 * misbehave (`-r RCPT`: 4xx, `-f RCPT`: 5xx, `-w N`: wait before answering DATA); `-d` dumps every
 * accepted transaction to a file, which is how tests see what arrived.
 */
export class SmtpSink {
  readonly #dir: string;
  readonly #child: ChildProcess;

  private constructor(dir: string, child: ChildProcess) {
    this.#dir = dir;
    this.#child = child;
  }

  static async start(flags: string[] = []): Promise<SmtpSink> {
    const dir = mkdtempSync(join(tmpdir(), 'smtp-sink-'));
    chmodSync(dir, 0o777); // it runs as nobody
    const child = spawn('/usr/sbin/smtp-sink', ['-u', 'nobody', '-h', 'remote.test', '-d', `${dir}/%H%M%S.`, ...flags, `127.0.0.1:${SINK_PORT}`, '64'], { stdio: 'ignore' });
    const sink = new SmtpSink(dir, child);
    await waitFor('smtp-sink to listen', async () => {
      if (child.exitCode !== null) throw new Error(`smtp-sink exited ${child.exitCode}`);
      const { connect } = await import('node:net');
      return new Promise<boolean>((resolve) => {
        const socket = connect(SINK_PORT, '127.0.0.1', () => {
          socket.destroy();
          resolve(true);
        });
        socket.on('error', () => resolve(false));
      });
    }, { intervalMs: 50 });
    return sink;
  }

  /** Every transaction the sink accepted, oldest first. */
  messages(): DumpedMessage[] {
    return readdirSync(this.#dir).sort().map((file) => {
      const lines = readFileSync(join(this.#dir, file), 'latin1').split('\n');
      // X-Client-Addr, X-Client-Proto, X-Helo-Args, X-Mail-Args, X-Rcpt-Args…, then its own 3-line Received.
      const envelopeEnd = lines.findIndex((l) => !/^X-(Client|Helo|Mail|Rcpt)-/.test(l));
      const value = (name: string) => lines.slice(0, envelopeEnd).filter((l) => l.startsWith(`${name}: `)).map((l) => l.slice(name.length + 2).replace(/^<(.*)>.*$/, '$1'));
      let start = envelopeEnd + 1;
      while (lines[start]?.startsWith('\t')) start++;
      return { mailFrom: value('X-Mail-Args')[0] ?? '', rcptTo: value('X-Rcpt-Args'), message: lines.slice(start).join('\r\n') };
    });
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode === null) {
      this.#child.kill('SIGTERM');
      await new Promise((resolve) => this.#child.once('exit', resolve));
    }
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
