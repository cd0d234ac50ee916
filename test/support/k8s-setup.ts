import type { TestProject } from 'vitest/node';
import { upAndReadEnv } from './shell-env.ts';

/** Where the test control plane (`hack/testenv.sh`) is and how to reach it; see docs/testenv.md. */
export interface TestenvInfo {
  /** Admin kubeconfig (system:masters). */
  kubeconfig: string;
  kubectl: string;
  helm: string;
  /** promtool, for the chart's alert rules (built beside the control plane, its own cache). */
  promtool: string;
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

const script = 'hack/testenv.sh';

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
    promtool: required(env, 'PROMTOOL'),
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
 * machine builds it, which takes a while) and hands its coordinates to the tests. It stays running
 * for the next run; hack/test.sh stops what it started.
 */
export default function setup(project: TestProject): void {
  project.provide('testenv', testenvInfo(upAndReadEnv(script)));
}
