import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/** hack/stack.sh, driven from TypeScript by the e2e tests (test/support/stack.ts) and the benchmarks. */
const run = promisify(execFile);

export interface StackComponent {
  name: string;
  pid: number | null;
  ports: number[];
  healthy: boolean;
}

export async function stackStatus(repo: string): Promise<StackComponent[]> {
  const { stdout } = await run('bash', ['hack/stack.sh', 'status', '--json'], { cwd: repo, timeout: 60_000 });
  return JSON.parse(stdout) as StackComponent[];
}

/** `hack/stack.sh start|stop NAME`; start returns once the component is healthy. `env` reaches stack.sh (e.g. MAILCLUSTER_NATS_SYNC_INTERVAL). */
export async function stackCtl(repo: string, action: 'start' | 'stop', name: string, env: Record<string, string> = {}): Promise<void> {
  await run('bash', ['hack/stack.sh', action, name], { cwd: repo, timeout: 180_000, env: { ...process.env, ...env } });
}
