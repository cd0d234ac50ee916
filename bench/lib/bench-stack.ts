/**
 * The local stack as the SMTP benchmarks use it: its dbs (a MailStore on the URLs hack/bench.sh
 * exported), stopping and starting its components with hack/stack.sh, and an smtp-ingest process of
 * our own, so a benchmark can set its limits and read its CPU time without touching the stack's.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createLogger, openShardMapSource } from '@mailcluster/common';
import { MailStore } from '@mailcluster/store';
import { type StackComponent, stackCtl, stackStatus } from '../../test/support/stack-control.ts';

function stackEnv(name: 'MAILCLUSTER_DB_URLS' | 'MAILCLUSTER_NATS_URL'): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set: run the benchmarks through hack/bench.sh (it exports the stack's env)`);
  return value;
}

export async function openBenchStore(): Promise<MailStore> {
  const dbUrls = stackEnv('MAILCLUSTER_DB_URLS').split(',');
  const shards = await openShardMapSource({ file: undefined, dbCount: dbUrls.length, log: createLogger('bench', 'silent') });
  return MailStore.open(dbUrls, shards, { connectionLimit: 4 });
}

/** Pids of the running components whose name starts with `prefix` (`writer-`, `nats-`, `db-`). */
export function pidsOf(components: readonly StackComponent[], prefix: string): number[] {
  return components.filter((c) => c.name.startsWith(prefix) && c.pid !== null).map((c) => c.pid as number);
}

/**
 * Runs `work` with some stack components stopped (e.g. the writers, so they do not take CPU from a
 * pure accept measurement) and starts again those it stopped, also when `work` fails.
 */
export async function withStopped<T>(repo: string, names: readonly string[], log: (line: string) => void, work: () => Promise<T>): Promise<T> {
  const running = (await stackStatus(repo)).filter((c) => names.includes(c.name) && c.pid !== null).map((c) => c.name);
  log(`stopping ${running.join(', ') || 'nothing (already stopped)'} (hack/stack.sh stop)`);
  await Promise.all(running.map((name) => stackCtl(repo, 'stop', name)));
  try {
    return await work();
  } finally {
    if (running.length > 0) log(`starting ${running.join(', ')} again`);
    for (const name of running) await stackCtl(repo, 'start', name);
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 0;
  }
  // Fields after the command name (which may contain spaces), 1-based from field 3: utime is 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Starts counting the CPU of groups of processes; the function returns the seconds each group used since. */
export function cpuMeter(groups: Record<string, readonly number[]>): () => Record<string, number> {
  const used = () => Object.fromEntries(Object.entries(groups).map(([name, pids]) => [name, pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0)]));
  const start = used();
  return () => Object.fromEntries(Object.entries(used()).map(([name, seconds]) => [name, seconds - (start[name] ?? 0)]));
}

export interface IngestProcess {
  readonly port: number;
  readonly pid: number;
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/**
 * Starts services/smtp-ingest against the stack's dbs and NATS on a port of its own, with `env`
 * overriding its config. Node flags (e.g. `--cpu-prof`) go in `nodeArgs`. Resolves once it listens.
 */
export async function startIngest(repo: string, env: Record<string, string>, nodeArgs: readonly string[] = []): Promise<IngestProcess> {
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, 'services/smtp-ingest/src/main.ts'], {
    cwd: repo,
    env: {
      PATH: process.env.PATH ?? '',
      MAILCLUSTER_DB_URLS: stackEnv('MAILCLUSTER_DB_URLS'),
      MAILCLUSTER_NATS_URL: stackEnv('MAILCLUSTER_NATS_URL'),
      MAILCLUSTER_SMTP_LISTEN: '127.0.0.1:0',
      MAILCLUSTER_OPS_LISTEN: '127.0.0.1:0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Its log is read until the listening line, and drained (the tail kept for errors) after.
  let output = '';
  let listening = false;
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`smtp-ingest did not listen within 60 s:\n${output}`));
    }, 60_000);
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
      const match = listening ? null : /"port":(\d+)[^\n]*"msg":"SMTP inbound listening"/.exec(output);
      if (match) {
        listening = true;
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`smtp-ingest exited ${code}:\n${output}`));
    });
  });
  const pid = child.pid ?? 0;
  return {
    port,
    pid,
    cpuSeconds: () => cpuSeconds(pid),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
