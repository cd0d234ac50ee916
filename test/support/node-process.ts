import { type ChildProcess, spawn } from 'node:child_process';
import { repo } from './shell-env.ts';
import { waitFor } from './wait.ts';

export interface NodeProcess {
  readonly child: ChildProcess;
  /** Ports the process logged it listens on, by log message (`ops endpoint listening …`, `SMTP inbound listening`). */
  readonly ports: Record<string, number>;
  readonly exited: Promise<number | null>;
  output(): string;
  signal(signal: NodeJS.Signals): void;
}

/**
 * Runs one of our services from source (`node <entry> ...args`) with exactly the given environment
 * and collects its JSON log, so tests can read the ports it bound (`port` fields) and what it said.
 * Resolves once `listening` log messages with a port have appeared.
 */
export async function startNodeProcess(entry: string, args: string[], env: Record<string, string>, listening: number): Promise<NodeProcess> {
  const child = spawn(process.execPath, [entry, ...args], { cwd: repo, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const ports: Record<string, number> = {};
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const line of chunk.toString().split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        const event = JSON.parse(line) as { msg?: string; port?: number };
        if (event.msg !== undefined && typeof event.port === 'number') ports[event.msg] = event.port;
      } catch {
        // a line split across chunks; ports are logged early and whole
      }
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await waitFor(`${entry} to listen`, () => {
    if (child.exitCode !== null) throw new Error(`${entry} exited ${child.exitCode}: ${output}`);
    return Object.keys(ports).length >= listening;
  }, { timeoutMs: 60_000, intervalMs: 100 });
  return { child, ports, exited, output: () => output, signal: (s) => child.kill(s) };
}
