import { FlowcontrolApiserverV1Api, type KubeConfig, type V1FlowSchema } from '@kubernetes/client-node';
import { getRaw, isNotFound, until } from './kube.ts';
import { samples } from './prometheus.ts';

/**
 * Counting one client's requests on the API server's side. kube-apiserver's request metrics have
 * no user label, but API Priority and Fairness classifies every request, watches included, by
 * user and verb before it runs, and counts what each FlowSchema dispatched
 * (`apiserver_flowcontrol_dispatched_requests_total{flow_schema}`). So the bench adds FlowSchemas
 * that match only the operator's ServiceAccount, one per verb (and the leader Lease apart), all
 * on the priority level a ServiceAccount gets anyway (workload-low): requests are sorted and
 * counted, and otherwise treated as before.
 */

export const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'] as const;
export type Verb = (typeof VERBS)[number];
export const READ_VERBS: readonly Verb[] = ['get', 'list', 'watch'];
export const WRITE_VERBS: readonly Verb[] = VERBS.filter((verb) => !READ_VERBS.includes(verb));

/** What the operator asked for: the leader Lease, every other resource, and non-resource URLs (discovery). */
export interface RequestCounts {
  lease: Record<Verb, number>;
  resources: Record<Verb, number>;
  nonResource: number;
}

type Scope = 'lease' | 'resources';

const flowSchemaName = (prefix: string, scope: Scope, verb: Verb): string => `${prefix}-${scope}-${verb}`;

export function flowSchemas(prefix: string, subject: { namespace: string; serviceAccount: string }): V1FlowSchema[] {
  const subjects = [{ kind: 'ServiceAccount', serviceAccount: { name: subject.serviceAccount, namespace: subject.namespace } }];
  const schema = (name: string, precedence: number, rule: NonNullable<V1FlowSchema['spec']>['rules']): V1FlowSchema => ({
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
    kind: 'FlowSchema',
    metadata: { name },
    spec: { matchingPrecedence: precedence, priorityLevelConfiguration: { name: 'workload-low' }, distinguisherMethod: { type: 'ByUser' }, rules: rule },
  });
  // The lease schemas come first (lower precedence number): a Lease request matches both.
  const scopes = [
    { scope: 'lease' as const, precedence: 40, apiGroups: ['coordination.k8s.io'], resources: ['leases'] },
    { scope: 'resources' as const, precedence: 41, apiGroups: ['*'], resources: ['*'] },
  ];
  return [
    ...scopes.flatMap(({ scope, precedence, apiGroups, resources }) =>
      VERBS.map((verb) => schema(flowSchemaName(prefix, scope, verb), precedence, [{ subjects, resourceRules: [{ verbs: [verb], apiGroups, resources, namespaces: ['*'], clusterScope: true }] }]))),
    schema(`${prefix}-nonresource`, 41, [{ subjects, nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }] }]),
  ];
}

const zero = (): Record<Verb, number> => Object.fromEntries(VERBS.map((verb) => [verb, 0])) as Record<Verb, number>;

/** The counts of the bench's FlowSchemas named with `prefix`, from the API server's /metrics text. */
export function requestCounts(metricsText: string, prefix: string): RequestCounts {
  const counts: RequestCounts = { lease: zero(), resources: zero(), nonResource: 0 };
  for (const { labels, value } of samples(metricsText, 'apiserver_flowcontrol_dispatched_requests_total')) {
    const name = labels.flow_schema ?? '';
    if (name === `${prefix}-nonresource`) counts.nonResource += value;
    for (const scope of ['lease', 'resources'] as const) {
      for (const verb of VERBS) if (name === flowSchemaName(prefix, scope, verb)) counts[scope][verb] += value;
    }
  }
  return counts;
}

export function countsSince(after: RequestCounts, before: RequestCounts): RequestCounts {
  const minus = (a: Record<Verb, number>, b: Record<Verb, number>) => Object.fromEntries(VERBS.map((verb) => [verb, a[verb] - b[verb]])) as Record<Verb, number>;
  return { lease: minus(after.lease, before.lease), resources: minus(after.resources, before.resources), nonResource: after.nonResource - before.nonResource };
}

export const sumVerbs = (counts: Record<Verb, number>, verbs: readonly Verb[]): number => verbs.reduce((sum, verb) => sum + counts[verb], 0);

/** The FlowSchemas of one operator identity, installed until `remove()`. */
export class ApiRequestCounter {
  readonly #kc: KubeConfig;
  readonly #prefix: string;
  readonly #names: string[];

  private constructor(kc: KubeConfig, prefix: string, names: string[]) {
    this.#kc = kc;
    this.#prefix = prefix;
    this.#names = names;
  }

  /** Installs the FlowSchemas and waits until the API server uses them (it marks each one's status). */
  static async install(kc: KubeConfig, prefix: string, subject: { namespace: string; serviceAccount: string }): Promise<ApiRequestCounter> {
    const api = kc.makeApiClient(FlowcontrolApiserverV1Api);
    const schemas = flowSchemas(prefix, subject);
    const counter = new ApiRequestCounter(kc, prefix, schemas.map((s) => s.metadata?.name ?? ''));
    for (const body of schemas) await api.createFlowSchema({ body });
    await until('the API server to take up the bench FlowSchemas', 30_000, async () => {
      for (const name of counter.#names) {
        const schema = await api.readFlowSchema({ name });
        if (!schema.status?.conditions?.some((c) => c.type === 'Dangling')) return undefined;
      }
      return true;
    });
    return counter;
  }

  async snapshot(): Promise<RequestCounts> {
    return requestCounts(await getRaw(this.#kc, '/metrics'), this.#prefix);
  }

  async remove(): Promise<void> {
    const api = this.#kc.makeApiClient(FlowcontrolApiserverV1Api);
    for (const name of this.#names) {
      try {
        await api.deleteFlowSchema({ name });
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
  }
}
