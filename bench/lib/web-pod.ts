import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { profileArgs } from './cpu-profile.ts';

export interface WebPod {
  url: string;
  pid: number;
  /** SIGTERM and wait for the exit (a BENCH_CPU_PROF_DIR profile is written then). */
  stop(): Promise<void>;
}

export interface WebPodOptions {
  repo: string;
  /** The CPU the pod is pinned to (`taskset -c`): a pod here is one core. */
  cpu: number;
  env: Record<string, string>;
}

/**
 * One web pod of our own: `node services/web/src/main.ts` pinned to one core, on the stack's dbs
 * and behind the stack's public URL (`env`), listening on a port the OS picks (read from its log).
 */
export async function startWebPod(options: WebPodOptions): Promise<WebPod> {
  const child = spawn('taskset', ['-c', String(options.cpu), process.execPath, ...profileArgs(), join(options.repo, 'services/web/src/main.ts')], {
    cwd: options.repo,
    env: { PATH: process.env.PATH ?? '', ...options.env, MAILCLUSTER_WEB_LISTEN: '127.0.0.1:0', MAILCLUSTER_OPS_LISTEN: '127.0.0.1:0', MAILCLUSTER_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await listeningPort(child, exited);
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid as number,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The port of the pod's `web listening` log line; rejects with its output if it exits first. */
function listeningPort(child: ChildProcess, exited: Promise<number | null>): Promise<number> {
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`web pod did not listen within 60 s:\n${output.slice(-2000)}`)), 60_000);
    const onData = (chunk: Buffer) => {
      // Only the tail matters, and the pipe must keep draining for as long as the pod runs.
      output = (output + chunk.toString()).slice(-8000);
      const match = /"port":(\d+)[^\n]*"msg":"web listening"|"msg":"web listening"[^\n]*"port":(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1] ?? match[2]));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`web pod exited ${code} before listening:\n${output.slice(-2000)}`));
    });
  });
}
