import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  type V1Status,
} from '@kubernetes/client-node';
import { inject } from 'vitest';
import type { TestenvInfo } from './k8s-setup.ts';
import { waitFor } from './wait.ts';

/**
 * Helpers for tests against the test control plane (`hack/testenv.sh`, project `k8s`). The global
 * setup `k8s-setup.ts` starts it; these read what it provided.
 */

export { waitFor };
export type { TestenvInfo };

/** Label on every namespace made by freshNamespace, to find leftovers: kubectl get ns -l mailcluster.dev/test. */
export const TEST_NAMESPACE_LABEL = 'mailcluster.dev/test';

export function testenv(): TestenvInfo {
  return inject('testenv');
}

/** The admin KubeConfig (system:masters) of the test control plane. */
export function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(testenv().kubeconfig);
  return kc;
}

/** A KubeConfig for the same cluster that authenticates with a bearer token (e.g. a ServiceAccount's). */
export function kubeConfigForToken(token: string, user = 'token-user'): KubeConfig {
  const admin = kubeConfig();
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error('the admin kubeconfig has no current cluster');
  const kc = new KubeConfig();
  kc.loadFromClusterAndUser(cluster, { name: user, token });
  return kc;
}

/** Issues a short-lived token for a ServiceAccount through the TokenRequest API (like `kubectl create token`). */
export async function serviceAccountToken(namespace: string, name: string, expirationSeconds = 3600): Promise<string> {
  const core = kubeConfig().makeApiClient(CoreV1Api);
  const request = await core.createNamespacedServiceAccountToken({
    namespace,
    name,
    body: { spec: { audiences: [], expirationSeconds } },
  });
  const token = request.status?.token;
  if (!token) throw new Error(`TokenRequest for ${namespace}/${name} returned no token`);
  return token;
}

export interface Namespace {
  name: string;
  /** Deletes the namespace (and with it everything in it); ignores one that is already gone. */
  cleanup: () => Promise<void>;
}

/**
 * Creates a namespace `<prefix>-<random>` and waits for its default ServiceAccount, without which pods
 * (and so StatefulSets) cannot be admitted.
 */
export async function freshNamespace(prefix: string): Promise<Namespace> {
  const core = kubeConfig().makeApiClient(CoreV1Api);
  const base = prefix.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 48) || 'test';
  const name = `${base}-${randomBytes(4).toString('hex')}`;
  await core.createNamespace({ body: { metadata: { name, labels: { [TEST_NAMESPACE_LABEL]: 'true' } } } });
  await waitFor(`default ServiceAccount in namespace ${name}`, async () => {
    try {
      return await core.readNamespacedServiceAccount({ namespace: name, name: 'default' });
    } catch (error) {
      if (apiErrorCode(error) === 404) return undefined;
      throw error;
    }
  });
  return {
    name,
    cleanup: async () => {
      try {
        await core.deleteNamespace({ name });
      } catch (error) {
        if (apiErrorCode(error) !== 404) throw error;
      }
    },
  };
}

/** Whether a read finds its object: false on 404, any other error thrown. */
export async function exists(read: () => Promise<unknown>): Promise<boolean> {
  try {
    await read();
    return true;
  } catch (error) {
    if (apiErrorCode(error) === 404) return false;
    throw error;
  }
}

/** HTTP status of a failed client-node call, or undefined for any other error. */
export function apiErrorCode(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

/** The Kubernetes Status object of a failed client-node call (the body of a 4xx/5xx answer). */
export function apiErrorStatus(error: unknown): V1Status | undefined {
  if (!(error instanceof ApiException)) return undefined;
  const body: unknown = error.body;
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as V1Status;
    } catch {
      return { message: body };
    }
  }
  return typeof body === 'object' && body !== null ? body : undefined;
}

/** Runs a client-node call that must fail, and returns its HTTP code and Status. */
export async function expectApiError(call: () => Promise<unknown>): Promise<{ code: number; status: V1Status }> {
  try {
    await call();
  } catch (error) {
    const code = apiErrorCode(error);
    if (code === undefined) throw error;
    return { code, status: apiErrorStatus(error) ?? {} };
  }
  throw new Error('expected the API server to reject the request, but it succeeded');
}

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface CommandOptions {
  /** Written to the command's stdin (e.g. a manifest for `apply -f -`). */
  input?: string;
  env?: Record<string, string>;
  /** Throw when the command exits non-zero (default true). */
  check?: boolean;
  timeoutMs?: number;
  cwd?: string;
}

function run(command: string, args: string[], env: Record<string, string>, options: CommandOptions): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      { env: { ...process.env, ...env, ...options.env }, cwd: options.cwd, timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const exitCode = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        const result = { exitCode, stdout, stderr };
        if (exitCode !== 0 && options.check !== false) {
          reject(new Error(`${command} ${args.join(' ')} exited ${exitCode}: ${stderr.trim() || error?.message}`));
        } else {
          resolve(result);
        }
      },
    );
    child.stdin?.end(options.input ?? '');
  });
}

/** Runs the built kubectl against the test control plane as admin. */
export function kubectl(args: string[], options: CommandOptions = {}): Promise<CommandResult> {
  const env = testenv();
  return run(env.kubectl, args, { KUBECONFIG: env.kubeconfig }, options);
}

/** Runs the built helm against the test control plane as admin, with its config kept in the state dir. */
export function helm(args: string[], options: CommandOptions = {}): Promise<CommandResult> {
  const env = testenv();
  return run(env.helm, args, { KUBECONFIG: env.kubeconfig, ...env.helmEnv }, options);
}

/** Runs the built promtool (Prometheus's rule checker) in `cwd`. */
export function promtool(args: string[], cwd: string): Promise<CommandResult> {
  return run(testenv().promtool, args, {}, { cwd });
}
