import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { get as httpsGet, type RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiException, CoreV1Api, KubeConfig, type KubernetesObject, RbacAuthorizationV1Api, Watch } from '@kubernetes/client-node';

/**
 * The bench's side of the test control plane (hack/testenv.sh; hack/bench.sh exports its env):
 * the admin client, kubectl, throw-away namespaces, an operator identity, and a watch that says
 * when objects appeared.
 */

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the operator benchmark through hack/bench.sh (it brings the test control plane up)`);
  return value;
}

export function adminKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(requiredEnv('KUBECONFIG'));
  return kc;
}

/** Runs the testenv's kubectl as admin; rejects on a non-zero exit with its stderr. */
export function kubectl(args: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(requiredEnv('KUBECTL'), args, { maxBuffer: 256 * 1024 * 1024, timeout: 300_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`kubectl ${args.join(' ')}: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
    child.stdin?.end(input ?? '');
  });
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiException && error.code === 404;
}

/** GET a path of the API server as admin (e.g. /metrics), as text. */
export async function getRaw(kc: KubeConfig, path: string): Promise<string> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error('the kubeconfig has no current cluster');
  const options: RequestOptions = {};
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    httpsGet(new URL(path, server), options, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => (response.statusCode === 200 ? resolve(body) : reject(new Error(`GET ${path}: HTTP ${response.statusCode}: ${body.slice(0, 200)}`))));
    }).on('error', reject);
  });
}

/** Label on every namespace the bench makes, to find leftovers: kubectl get ns -l mailcluster.dev/bench. */
export const BENCH_LABEL = 'mailcluster.dev/bench';

/** A new namespace `<prefix>-<8 hex>`, once its default ServiceAccount exists (pods need it). */
export async function createNamespace(kc: KubeConfig, prefix: string): Promise<string> {
  const core = kc.makeApiClient(CoreV1Api);
  const name = `${prefix}-${randomBytes(4).toString('hex')}`;
  await core.createNamespace({ body: { metadata: { name, labels: { [BENCH_LABEL]: 'operator' } } } });
  await until(`default ServiceAccount in ${name}`, 30_000, async () => {
    try {
      return await core.readNamespacedServiceAccount({ namespace: name, name: 'default' });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  });
  return name;
}

/** Deletes a namespace and waits until it is gone (its objects with it), so runs do not overlap. */
export async function deleteNamespace(kc: KubeConfig, name: string, timeoutMs: number): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  try {
    await core.deleteNamespace({ name });
  } catch (error) {
    if (isNotFound(error)) return;
    throw error;
  }
  await until(`namespace ${name} deleted`, timeoutMs, async () => {
    try {
      await core.readNamespace({ name });
      return undefined;
    } catch (error) {
      if (isNotFound(error)) return true;
      throw error;
    }
  }, 500);
}

/** Polls `check` until it returns something other than undefined, or fails after `timeoutMs`. */
export async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(intervalMs);
  }
}

export interface OperatorIdentity {
  /** A kubeconfig file that authenticates as the ServiceAccount only (no admin certificate). */
  kubeconfig: string;
  namespace: string;
  serviceAccount: string;
}

/**
 * The operator's identity in one namespace, as in the k8s tests: a ServiceAccount with every right
 * there and nowhere else, and a token kubeconfig for it; the API server can then tell its requests
 * from everyone else's (bench/lib/api-requests.ts counts them by this user).
 */
export async function operatorIdentity(kc: KubeConfig, namespace: string): Promise<OperatorIdentity> {
  const serviceAccount = 'mailcluster-operator';
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: serviceAccount } } });
  await kc.makeApiClient(RbacAuthorizationV1Api).createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name: serviceAccount },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace }],
    },
  });
  const request = await core.createNamespacedServiceAccountToken({ namespace, name: serviceAccount, body: { spec: { audiences: [], expirationSeconds: 3600 } } });
  const token = request.status?.token;
  const cluster = kc.getCurrentCluster();
  if (!token || !cluster) throw new Error(`no token for ${namespace}/${serviceAccount}`);
  const identity = new KubeConfig();
  identity.loadFromClusterAndUser(cluster, { name: serviceAccount, token });
  const kubeconfig = join(tmpdir(), `${namespace}-operator.kubeconfig`);
  writeFileSync(kubeconfig, identity.exportConfig(), { mode: 0o600 });
  return { kubeconfig, namespace, serviceAccount };
}

export interface WatchedKind {
  kind: string;
  apiVersion: string;
  plural: string;
}

export const objectKey = (kind: string, name: string): string => `${kind}/${name}`;

/**
 * Watches kinds in one namespace and notes when each object was first seen (performance.now()),
 * and keeps the latest version of each: the bench's stopwatch for "all objects created" and
 * "Ready". A watch that ends is reopened (it replays what exists; first sightings stay).
 */
export class NamespaceWatch {
  readonly firstSeen = new Map<string, number>();
  readonly latest = new Map<string, KubernetesObject>();
  readonly #watch: Watch;
  readonly #aborts: AbortController[] = [];
  readonly #listeners = new Set<() => void>();
  #stopped = false;

  private constructor(kc: KubeConfig) {
    this.#watch = new Watch(kc);
  }

  static async start(kc: KubeConfig, namespace: string, kinds: readonly WatchedKind[]): Promise<NamespaceWatch> {
    const watch = new NamespaceWatch(kc);
    await Promise.all(kinds.map((kind) => watch.#open(kind, namespace)));
    return watch;
  }

  /** Resolves with `check`'s first defined answer, re-asked after every event. */
  until<T>(what: string, timeoutMs: number, check: () => T | undefined): Promise<T> {
    return new Promise((resolve, reject) => {
      const finish = () => {
        clearTimeout(timer);
        this.#listeners.delete(listener);
      };
      const listener = () => {
        const value = check();
        if (value === undefined) return;
        finish();
        resolve(value);
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`));
      }, timeoutMs);
      this.#listeners.add(listener);
      listener();
    });
  }

  stop(): void {
    this.#stopped = true;
    for (const abort of this.#aborts) abort.abort();
  }

  async #open(kind: WatchedKind, namespace: string): Promise<void> {
    const base = kind.apiVersion.includes('/') ? `/apis/${kind.apiVersion}` : `/api/${kind.apiVersion}`;
    const abort = await this.#watch.watch(
      `${base}/namespaces/${namespace}/${kind.plural}`,
      {},
      (phase: string, object: KubernetesObject) => {
        const key = objectKey(kind.kind, object.metadata?.name ?? '');
        const now = performance.now();
        if (phase === 'DELETED') this.latest.delete(key);
        else if (phase === 'ADDED' || phase === 'MODIFIED') {
          if (!this.firstSeen.has(key)) this.firstSeen.set(key, now);
          this.latest.set(key, object);
        }
        for (const listener of [...this.#listeners]) listener();
      },
      () => this.#reopen(kind, namespace),
    );
    this.#aborts.push(abort);
  }

  #reopen(kind: WatchedKind, namespace: string): void {
    if (this.#stopped) return;
    this.#open(kind, namespace).catch(() => setTimeout(() => this.#reopen(kind, namespace), 1_000));
  }
}
