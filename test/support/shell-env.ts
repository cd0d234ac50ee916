import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root, where the hack/ scripts run. */
export const repo = fileURLToPath(new URL('../..', import.meta.url));

/** `export NAME='value'` lines (what `hack/stack.sh env` and `hack/testenv.sh env` print) → a map. */
export function parseExports(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const match of text.matchAll(/^export ([A-Z0-9_]+)='([^']*)'/gm)) env[match[1] as string] = match[2] as string;
  return env;
}

/** Runs `<script> up`, showing its progress, then returns what `<script> env` exports. */
export function upAndReadEnv(script: string): Record<string, string> {
  execFileSync('bash', [script, 'up'], { cwd: repo, stdio: 'inherit' });
  return parseExports(execFileSync('bash', [script, 'env'], { cwd: repo, encoding: 'utf8' }));
}
