import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/** A server we start must not find its port taken: we would measure whatever holds it. */
export async function assertPortFree(port: number): Promise<void> {
  if (await listening(port)) throw new Error(`127.0.0.1:${port} is already in use`);
}

/** Resolves once something accepts TCP connections on 127.0.0.1:`port`. */
export async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await listening(port)) return;
    if (performance.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await sleep(50);
  }
}

/**
 * Postfix's smtp-sink: accepts every message and keeps none, the protocol ceiling of this box for
 * a C client and a C server (it answers as soon as the final dot has arrived).
 */
export class SmtpSink {
  readonly port: number;
  readonly #child: ChildProcess;

  private constructor(port: number, child: ChildProcess) {
    this.port = port;
    this.#child = child;
  }

  static async start(port: number): Promise<SmtpSink> {
    await assertPortFree(port);
    // Backlog 1000: smtp-source opens all its sessions at once.
    const child = spawn('/usr/sbin/smtp-sink', ['-u', 'nobody', `127.0.0.1:${port}`, '1000'], { stdio: 'ignore' });
    const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`smtp-sink exited ${code}`))));
    await Promise.race([waitForPort(port, 10_000), exited]);
    exited.catch(() => {}); // its exit at stop() is expected
    return new SmtpSink(port, child);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.#child.exitCode !== null || this.#child.signalCode !== null) return resolve();
      this.#child.once('exit', () => resolve());
      this.#child.kill('SIGTERM');
    });
  }
}
