import type { TestProject } from 'vitest/node';
import { repo, upAndReadEnv } from './shell-env.ts';

export interface StackInfo {
  repo: string;
  dbUrls: string[];
  natsUrl: string[];
  smtp: { host: string; port: number };
  submission: { host: string; port: number; user: string; password: string };
  stackDir: string;
  tlsCertFile: string;
  /** The webmail (issue 5), e.g. http://127.0.0.1:8080. */
  webUrl: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackInfo;
  }
}

/** vitest globalSetup of the e2e project: brings the local stack up (idempotent) and hands its addresses to the tests. */
export default function setup(project: TestProject): void {
  const env = upAndReadEnv('hack/stack.sh');
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
    webUrl: env.MAILCLUSTER_WEB_URL ?? '',
  });
}
