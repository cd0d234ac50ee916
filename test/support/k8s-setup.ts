import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

/** Where the test control plane (`hack/testenv.sh`) is and how to reach it; see docs/testenv.md. */
export interface TestenvInfo {
  /** Admin kubeconfig (system:masters). */
  kubeconfig: string;
  kubectl: string;
  helm: string;
  /** HELM_CACHE_HOME, HELM_CONFIG_HOME, HELM_DATA_HOME inside the state dir, so helm never touches ~/.config. */
  helmEnv: Record<string, string>;
  /** https://127.0.0.1:26443 */
  apiServer: string;
  /** Directory with etcd, kube-*, kubectl, kwok and helm. */
  binDir: string;
  stateDir: string;
  k8sVersion: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    testenv: TestenvInfo;
  }
}

const repo = fileURLToPath(new URL('../..', import.meta.url));
const script = '/tmp/testenv-dev.sh';

/** `export NAME='value'` lines (the output of `hack/testenv.sh env`) → a map. */
export function parseExports(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const match of text.matchAll(/^export ([A-Z0-9_]+)='([^']*)'$/gm)) env[match[1] as string] = match[2] as string;
  return env;
}

function required(env: Record<string, string>, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${script} env printed no ${name}`);
  return value;
}

export function testenvInfo(env: Record<string, string>): TestenvInfo {
  return {
    kubeconfig: required(env, 'KUBECONFIG'),
    kubectl: required(env, 'KUBECTL'),
    helm: required(env, 'HELM'),
    helmEnv: {
      HELM_CACHE_HOME: required(env, 'HELM_CACHE_HOME'),
      HELM_CONFIG_HOME: required(env, 'HELM_CONFIG_HOME'),
      HELM_DATA_HOME: required(env, 'HELM_DATA_HOME'),
    },
    apiServer: required(env, 'MAILCLUSTER_K8S_API'),
    binDir: required(env, 'MAILCLUSTER_K8S_BIN'),
    stateDir: required(env, 'MAILCLUSTER_TESTENV_DIR'),
    k8sVersion: required(env, 'MAILCLUSTER_K8S_VERSION'),
  };
}

/**
 * vitest globalSetup of the k8s project: brings the control plane up (idempotent; the first run on a
 * machine builds it, which takes a while) and hands its coordinates to the tests.
 * It stays running for the next run; only in CI, when this run started it, is it stopped afterwards.
 */
export default function setup(project: TestProject): (() => void) | undefined {
  const wasUp = spawnSync('bash', [script, 'status'], { cwd: repo, stdio: 'ignore' }).status === 0;
  execFileSync('bash', [script, 'up'], { cwd: repo, stdio: 'inherit' });
  const env = parseExports(execFileSync('bash', [script, 'env'], { cwd: repo, encoding: 'utf8' }));
  project.provide('testenv', testenvInfo(env));
  if (process.env.CI && !wasUp) {
    return () => execFileSync('bash', [script, 'down'], { cwd: repo, stdio: 'inherit' });
  }
  return undefined;
}
