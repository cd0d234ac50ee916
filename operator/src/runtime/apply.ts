import { type KubernetesObject, type KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { isAlreadyExists } from './kube-errors.ts';
import { isSubset } from './subset.ts';

export const FIELD_MANAGER = 'mailcluster-operator';

export type ApplyOutcome = 'created' | 'updated' | 'unchanged';

/** The parts of an object we set and compare: not the identity fields, which list results may omit. */
function comparable(object: KubernetesObject): unknown {
  const { apiVersion: _a, kind: _k, metadata, ...rest } = object as KubernetesObject & Record<string, unknown>;
  const { name: _n, namespace: _ns, ...meta } = metadata ?? {};
  return { ...rest, metadata: meta };
}

/**
 * Server-side apply with one field manager, sent only when the live object differs from what we
 * would apply: a steady cluster costs no writes, a hand edit (or a deleted object) is put back.
 * `force` takes back fields another manager (kubectl edit) took.
 */
export async function applyObject(api: KubernetesObjectApi, desired: KubernetesObject, live: KubernetesObject | undefined): Promise<ApplyOutcome> {
  if (live !== undefined && isSubset(comparable(desired), live)) return 'unchanged';
  await api.patch(desired, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
  return live === undefined ? 'created' : 'updated';
}

/** Creates an object unless it exists; never changes an existing one (generated secrets). */
export async function createIfAbsent(api: KubernetesObjectApi, object: KubernetesObject): Promise<boolean> {
  try {
    await api.create(object, undefined, undefined, FIELD_MANAGER);
    return true;
  } catch (error) {
    if (isAlreadyExists(error)) return false;
    throw error;
  }
}
