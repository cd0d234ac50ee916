import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

export interface StackInfo {
  repo: string;
  dbUrls: string[];
  natsUrl: string[];
  smtp: { host: string; port: number };
  submission: { host: string; port: number; user: string; password: string };
  stackDir: string;
  tlsCertFile: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackInfo;
  }
}

const repo = fileURLToPath(new URL('../..', import.meta.url));

/** Shell `export NAME='value'` lines → a map. */
export function parseExports(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const match of text.matchAll(/^export ([A-Z_]+)='([^']*)'$/gm)) env[match[1] as string] = match[2] as string;
  return env;
}

/** vitest globalSetup of the e2e project: brings the local stack up (idempotent) and hands its addresses to the tests. */
export default function setup(project: TestProject): void {
  execFileSync('bash', ['hack/stack.sh', 'up'], { cwd: repo, stdio: 'inherit' });
  const env = parseExports(execFileSync('bash', ['hack/stack.sh', 'env'], { cwd: repo, encoding: 'utf8' }));
  const [host = '127.0.0.1', port = '2525'] = (env.MAILCLUSTER_SMTP ?? '').split(':');
  const [submissionHost = '127.0.0.1', submissionPort = '2587'] = (env.MAILCLUSTER_SUBMISSION ?? '').split(':');
  project.provide('stack', {
    repo,
    dbUrls: (env.MAILCLUSTER_DB_URLS ?? '').split(','),
    natsUrl: (env.MAILCLUSTER_NATS_URL ?? '').split(','),
    smtp: { host, port: Number(port) },
    submission: {
      host: submissionHost,
      port: Number(submissionPort),
      user: env.MAILCLUSTER_SUBMISSION_USER ?? '',
      password: env.MAILCLUSTER_SUBMISSION_PASSWORD ?? '',
    },
    stackDir: env.MAILCLUSTER_STACK_DIR ?? '',
    tlsCertFile: env.MAILCLUSTER_TLS_CERT_FILE ?? '',
  });
}
