import { spawn } from 'node:child_process';

/**
 * Postfix's smtp-source, the load generator of every SMTP benchmark here (C, cheap on the shared
 * cores; the same client for us and for Postfix). Two things about it shape how it is used:
 * - `-F file` sends the same bytes every time, and we store one copy per (recipient, bytes)
 *   (DESIGN §4), so every message needs its own recipient: `-N` prepends a sequence number that
 *   starts at 1 in each process, giving `1<to>`, `2<to>`, …; the `to` of each run must be new, and
 *   those users must exist (bench/lib/bench-users.ts makes them).
 * - it has no pipelining and no rate control; `-w` waits whole seconds between a session's messages.
 */
export interface SmtpSourceRun {
  host: string;
  port: number;
  /** The message file (`-F`), sent as is (LF line ends become CRLF, dots are stuffed). */
  messageFile: string;
  messages: number;
  sessions: number;
  from: string;
  /** The base recipient; message i goes to `${i}${to}` (i from 1). */
  to: string;
  /** Keep the connection for the next message (`-d`); default true. */
  reuseConnections?: boolean;
  /** Seconds each session waits between messages (`-w`): the crude rate control smtp-source has. */
  waitSeconds?: number;
}

export interface SmtpSourceResult {
  messages: number;
  seconds: number;
  perSecond: number;
}

export const SMTP_SOURCE = '/usr/sbin/smtp-source';

/** The recipients a run addresses, in the order smtp-source numbers them. */
export function runRecipients(run: Pick<SmtpSourceRun, 'messages' | 'to'>): string[] {
  return Array.from({ length: run.messages }, (_, i) => `${i + 1}${run.to}`);
}

/** Sends `messages` messages and resolves when smtp-source exits 0; it aborts on any non-2xx reply. */
export function smtpSource(run: SmtpSourceRun): Promise<SmtpSourceResult> {
  const args = ['-4', '-N', '-s', String(run.sessions), '-m', String(run.messages), '-F', run.messageFile, '-f', run.from, '-t', run.to];
  if (run.reuseConnections ?? true) args.push('-d');
  if (run.waitSeconds !== undefined) args.push('-w', String(run.waitSeconds));
  args.push(`${run.host}:${run.port}`);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(SMTP_SOURCE, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) reject(new Error(`smtp-source exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
      else resolve({ messages: run.messages, seconds, perSecond: run.messages / seconds });
    });
  });
}
