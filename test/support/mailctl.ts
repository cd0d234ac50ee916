import { spawn } from 'node:child_process';
import { stack } from './stack.ts';

export interface MailctlRun {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** Runs mailctl as users do (`npx mailctl …` from the repo root), with the stack's env. */
export function mailctl(args: string[], input = '', env: Record<string, string> = {}): Promise<MailctlRun> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn('npx', ['mailctl', ...args], {
      cwd: stack().repo,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', MAILCLUSTER_DB_URLS: stack().dbUrls.join(','), ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr, seconds: (performance.now() - started) / 1000 }));
    child.stdin.end(input);
  });
}
