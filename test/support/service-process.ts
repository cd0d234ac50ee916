import { type ChildProcess, spawn } from 'node:child_process';
import { stack } from './stack.ts';
import { waitFor } from './wait.ts';

export interface ServiceProcess {
  readonly child: ChildProcess;
  /** Ports the service logged it listens on, by log message (`SMTP inbound listening`, `ops endpoint …`). */
  readonly ports: Record<string, number>;
  readonly exited: Promise<number | null>;
  output(): string;
  signal(signal: NodeJS.Signals): void;
}

/**
 * Starts one more instance of a service against the stack's dbs and NATS, on OS-chosen ports, for
 * tests that need their own (other settings, or to SIGTERM it). Resolves once it is listening.
 */
export async function startServiceProcess(service: 'smtp-ingest' | 'writer', env: Record<string, string> = {}): Promise<ServiceProcess> {
  const { repo, dbUrls, natsUrl } = stack();
  const child = spawn(process.execPath, [`services/${service}/src/main.ts`], {
    cwd: repo,
    env: {
      PATH: process.env.PATH ?? '',
      MAILCLUSTER_DB_URLS: dbUrls.join(','),
      MAILCLUSTER_NATS_URL: natsUrl.join(','),
      MAILCLUSTER_OPS_LISTEN: '127.0.0.1:0',
      MAILCLUSTER_SMTP_LISTEN: '127.0.0.1:0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const ports: Record<string, number> = {};
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const line of chunk.toString().split('\n')) {
      if (!line.startsWith('{')) continue;
      const event = JSON.parse(line) as { msg?: string; port?: number };
      if (event.msg !== undefined && typeof event.port === 'number') ports[event.msg] = event.port;
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const expected = (service === 'smtp-ingest' ? 2 : 1) + (env.MAILCLUSTER_SUBMISSION_LISTEN === undefined ? 0 : 1);
  await waitFor(`${service} to listen`, () => {
    if (child.exitCode !== null) throw new Error(`${service} exited ${child.exitCode}: ${output}`);
    return Object.keys(ports).length >= expected;
  }, { timeoutMs: 60_000, intervalMs: 100 });
  return { child, ports, exited, output: () => output, signal: (s) => child.kill(s) };
}
