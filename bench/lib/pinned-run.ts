import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs a bench/lib script in its own Node process pinned to one CPU (`taskset -c`), handing it
 * `input` as a JSON file (target lists are too long for argv) and resolving with the JSON it
 * prints last. Load generators and the raw-query floor run this way, so each gets exactly one
 * core beside the web pod's.
 */
export async function runPinned<I, O>(script: string, cpu: number, input: I): Promise<O> {
  const dir = mkdtempSync(join(tmpdir(), 'mailcluster-bench-'));
  const file = join(dir, 'input.json');
  writeFileSync(file, JSON.stringify(input));
  try {
    return await new Promise<O>((resolve, reject) => {
      const child = spawn('taskset', ['-c', String(cpu), process.execPath, script, file], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
      child.on('error', reject);
      child.on('close', (code) => {
        const last = stdout.trim().split('\n').at(-1) ?? '';
        if (code !== 0) reject(new Error(`${script} exited ${code}: ${stderr.trim()}`));
        else resolve(JSON.parse(last) as O);
      });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
