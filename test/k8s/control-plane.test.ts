import {
  ApiextensionsV1Api,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  PatchStrategy,
  RbacAuthorizationV1Api,
  type V1ConfigMap,
  type V1CustomResourceDefinition,
  type V1Pod,
  type V1StatefulSet,
} from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { describe, expect, onTestFinished, test } from 'vitest';
import {
  exists,
  expectApiError,
  freshNamespace,
  kubeConfig,
  kubeConfigForToken,
  kubectl,
  waitFor,
} from '../support/k8s.ts';

/**
 * Issue 3: the test control plane is a real one. Each test works in its own namespace and checks a
 * behaviour that only a real API server + controllers give: StatefulSet pods and volumes, CRD schema
 * and CEL validation, garbage collection, server-side apply, ServiceAccount tokens under RBAC.
 */

const kc = kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const apps = kc.makeApiClient(AppsV1Api);

async function namespaceFor(prefix: string): Promise<string> {
  const ns = await freshNamespace(prefix);
  onTestFinished(ns.cleanup);
  return ns.name;
}

function isReady(pod: V1Pod): boolean {
  return pod.status?.phase === 'Running' && pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

describe('test control plane', () => {
  test('a StatefulSet with a volumeClaimTemplate gets 3 Ready pods, spread over the zones, with Bound PVCs', async () => {
    const namespace = await namespaceFor('sts');
    const labels = { app: 'web' };
    await core.createNamespacedService({
      namespace,
      body: { metadata: { name: 'web' }, spec: { clusterIP: 'None', selector: labels, ports: [{ port: 80 }] } },
    });
    const statefulSet: V1StatefulSet = {
      metadata: { name: 'web' },
      spec: {
        serviceName: 'web',
        replicas: 3,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [{ name: 'web', image: 'registry.invalid/web:1', volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
            topologySpreadConstraints: [
              { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: labels } },
            ],
          },
        },
        volumeClaimTemplates: [
          { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
        ],
      },
    };
    await apps.createNamespacedStatefulSet({ namespace, body: statefulSet });

    await waitFor(
      'StatefulSet web to have 3 ready replicas',
      async () => (await apps.readNamespacedStatefulSet({ namespace, name: 'web' })).status?.readyReplicas === 3,
      { timeoutMs: 120_000 },
    );

    const pods = (await core.listNamespacedPod({ namespace, labelSelector: 'app=web' })).items;
    expect(pods.map((p) => p.metadata?.name).sort()).toEqual(['web-0', 'web-1', 'web-2']);
    expect(pods.every(isReady)).toBe(true);

    // The scheduler placed them (kwok does not bind pods), one per zone because of the spread constraint.
    const nodes = (await core.listNode()).items;
    const zoneOf = new Map(nodes.map((n) => [n.metadata?.name, n.metadata?.labels?.['topology.kubernetes.io/zone']]));
    expect(new Set(pods.map((p) => zoneOf.get(p.spec?.nodeName)))).toEqual(new Set(['a', 'b', 'c']));

    const claims = (await core.listNamespacedPersistentVolumeClaim({ namespace })).items;
    expect(claims.map((c) => c.metadata?.name).sort()).toEqual(['data-web-0', 'data-web-1', 'data-web-2']);
    for (const claim of claims) {
      expect(claim.status?.phase).toBe('Bound');
      expect(claim.spec?.storageClassName).toBe('kwok-volume'); // the default StorageClass was applied
      const volume = await core.readPersistentVolume({ name: claim.spec?.volumeName ?? '' });
      expect(volume.status?.phase).toBe('Bound');
      expect(volume.spec?.claimRef?.uid).toBe(claim.metadata?.uid);
    }
  });

  test('a CRD with a structural schema and a CEL rule: the API server rejects invalid objects and prunes unknown fields', async () => {
    const namespace = await namespaceFor('crd');
    const extensions = kc.makeApiClient(ApiextensionsV1Api);
    const custom = kc.makeApiClient(CustomObjectsApi);
    // CRDs are cluster-wide: a group of its own per run, so runs and reruns never share one.
    const group = `t${randomBytes(4).toString('hex')}.testenv.mailcluster.dev`;
    const crd: V1CustomResourceDefinition = {
      metadata: { name: `widgets.${group}` },
      spec: {
        group,
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            subresources: { status: {} },
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  spec: {
                    type: 'object',
                    required: ['replicas'],
                    properties: {
                      replicas: { type: 'integer', minimum: 1, maximum: 10 },
                      minReplicas: { type: 'integer', minimum: 0 },
                    },
                    // client-node's typed models name it x_kubernetes_validations and serialize it as x-kubernetes-validations.
                    x_kubernetes_validations: [
                      {
                        rule: '!has(self.minReplicas) || self.minReplicas <= self.replicas',
                        message: 'minReplicas must not exceed replicas',
                      },
                    ],
                  },
                  status: { type: 'object', properties: { ready: { type: 'integer' } } },
                },
              },
            },
          },
        ],
      },
    };
    await extensions.createCustomResourceDefinition({ body: crd });
    onTestFinished(async () => {
      await extensions.deleteCustomResourceDefinition({ name: `widgets.${group}` });
    });
    await waitFor(`CRD widgets.${group} to be Established`, async () => {
      const read = await extensions.readCustomResourceDefinition({ name: `widgets.${group}` });
      return read.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    });

    const widget = (name: string, spec: Record<string, unknown>) => ({
      apiVersion: `${group}/v1`,
      kind: 'Widget',
      metadata: { name },
      spec,
    });
    const create = (body: object) => custom.createNamespacedCustomObject({ group, version: 'v1', namespace, plural: 'widgets', body });

    await create(widget('ok', { replicas: 3, minReplicas: 1, color: 'blue' }));
    const stored = (await custom.getNamespacedCustomObject({ group, version: 'v1', namespace, plural: 'widgets', name: 'ok' })) as {
      spec: Record<string, unknown>;
    };
    expect(stored.spec).toEqual({ replicas: 3, minReplicas: 1 }); // `color` is not in the schema: pruned

    const cel = await expectApiError(() => create(widget('cel', { replicas: 2, minReplicas: 5 })));
    expect(cel.code).toBe(422);
    expect(cel.status.reason).toBe('Invalid');
    expect(cel.status.message).toContain('minReplicas must not exceed replicas');

    const range = await expectApiError(() => create(widget('range', { replicas: 0 })));
    expect(range.code).toBe(422);
    expect(range.status.message).toContain('spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1');

    const missing = await expectApiError(() => create(widget('missing', {})));
    expect(missing.code).toBe(422);
    expect(missing.status.message).toContain('spec.replicas: Required value');
  });

  test('deleting an owner garbage-collects the objects it owns', async () => {
    const namespace = await namespaceFor('gc');
    const owner = await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'owner' }, data: { role: 'owner' } } });
    const ownerReference = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata?.uid ?? '' };
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'owned', ownerReferences: [ownerReference] } } });
    await core.createNamespacedSecret({ namespace, body: { metadata: { name: 'owned-secret', ownerReferences: [ownerReference] } } });
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'bystander' } } });

    await core.deleteNamespacedConfigMap({ namespace, name: 'owner', propagationPolicy: 'Background' });

    const gone = async (read: () => Promise<unknown>) => !(await exists(read));
    await waitFor('ConfigMap owned to be garbage-collected', () => gone(() => core.readNamespacedConfigMap({ namespace, name: 'owned' })), {
      timeoutMs: 60_000,
    });
    await waitFor('Secret owned-secret to be garbage-collected', () => gone(() => core.readNamespacedSecret({ namespace, name: 'owned-secret' })), {
      timeoutMs: 60_000,
    });
    const bystander = await core.readNamespacedConfigMap({ namespace, name: 'bystander' });
    expect(bystander.metadata?.name).toBe('bystander');
  });

  test('server-side apply records the field manager, detects conflicts and lets a forced apply take over', async () => {
    const namespace = await namespaceFor('ssa');
    const objects = KubernetesObjectApi.makeApiClient(kc);
    const apply = (manager: string, data: Record<string, string>, force = false) =>
      objects.patch<V1ConfigMap>(
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace }, data },
        undefined,
        undefined,
        manager,
        force,
        PatchStrategy.ServerSideApply,
      );

    const first = await apply('mailcluster-operator', { users: '1000', shards: '2' });
    const entry = first.metadata?.managedFields?.find((f) => f.manager === 'mailcluster-operator');
    expect(entry?.operation).toBe('Apply');
    expect(entry?.fieldsV1).toMatchObject({ 'f:data': { 'f:users': {}, 'f:shards': {} } });

    const conflict = await expectApiError(() => apply('someone-else', { users: '5' }));
    expect(conflict.code).toBe(409);
    expect(conflict.status.reason).toBe('Conflict');
    expect(conflict.status.message).toContain('conflict with "mailcluster-operator"');

    const forced = await apply('someone-else', { users: '5' }, true);
    expect(forced.data).toEqual({ users: '5', shards: '2' });
    const managers = Object.fromEntries((forced.metadata?.managedFields ?? []).map((f) => [f.manager, Object.keys((f.fieldsV1 as { 'f:data'?: object })['f:data'] ?? {})]));
    expect(managers).toEqual({ 'mailcluster-operator': ['f:shards'], 'someone-else': ['f:users'] });
  });

  test('a ServiceAccount token from `kubectl create token` is authenticated, and RBAC allows only what its Role grants', async () => {
    const namespace = await namespaceFor('rbac');
    const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'reader' } } });
    await rbac.createNamespacedRole({
      namespace,
      body: { metadata: { name: 'configmap-reader' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }] },
    });
    await rbac.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name: 'reader' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'configmap-reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace }],
      },
    });
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'visible' }, data: { a: '1' } } });

    const token = (await kubectl(['create', 'token', 'reader', '--namespace', namespace, '--duration', '10m'])).stdout.trim();
    expect(token.split('.')).toHaveLength(3); // a JWT
    const asReader = kubeConfigForToken(token, 'reader').makeApiClient(CoreV1Api);

    const listed = await asReader.listNamespacedConfigMap({ namespace });
    expect(listed.items.map((c) => c.metadata?.name)).toContain('visible');

    const user = `system:serviceaccount:${namespace}:reader`;
    const write = await expectApiError(() => asReader.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'nope' } } }));
    expect(write.code).toBe(403);
    expect(write.status.message).toContain(`User "${user}" cannot create resource "configmaps"`);

    const secrets = await expectApiError(() => asReader.listNamespacedSecret({ namespace }));
    expect(secrets.code).toBe(403);
    expect(secrets.status.message).toContain(`cannot list resource "secrets" in API group "" in the namespace "${namespace}"`);

    const elsewhere = await expectApiError(() => asReader.listNamespacedConfigMap({ namespace: 'default' }));
    expect(elsewhere.code).toBe(403);

    const canI = await kubectl(['auth', 'can-i', 'create', 'configmaps', '--namespace', namespace, '--as', user], { check: false });
    expect(canI.stdout.trim()).toBe('no');
  });
});
