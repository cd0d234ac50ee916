import { execFileSync } from 'node:child_process';
import { repo } from './shell-env.ts';

/**
 * vitest globalSetup of the browser project, before the stack's: installs Debian's chromium
 * (`npx playwright install` downloads a browser build of its own, which cannot work here).
 */
export default function setup(): void {
  execFileSync('bash', ['-c', 'source hack/lib/install.sh && mc_install_browser'], { cwd: repo, stdio: 'inherit' });
}
