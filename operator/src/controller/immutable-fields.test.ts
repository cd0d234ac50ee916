import type { KubernetesObject, V1StatefulSet } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { keepImmutableFields } from './immutable-fields.ts';

const set = (storage: string, storageClassName?: string): KubernetesObject & V1StatefulSet => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'mc-db' },
  spec: {
    replicas: 3,
    serviceName: 'mc-db-hl',
    selector: {},
    template: {},
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], ...(storageClassName ? { storageClassName } : {}), resources: { requests: { storage } } } }],
  },
});

describe('keepImmutableFields', () => {
  it('keeps the size and storage class an existing StatefulSet was made with', () => {
    const kept = keepImmutableFields(set('300Gi', 'fast'), set('123Gi', 'standard')) as V1StatefulSet;
    expect(kept.spec?.volumeClaimTemplates?.[0]?.spec).toEqual({ accessModes: ['ReadWriteOnce'], storageClassName: 'standard', resources: { requests: { storage: '123Gi' } } });
    expect(kept.spec?.replicas).toBe(3);
  });

  it('leaves a new StatefulSet, and other kinds, as they are', () => {
    const desired = set('300Gi');
    expect(keepImmutableFields(desired, undefined)).toBe(desired);
    const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' } };
    expect(keepImmutableFields(service, service)).toBe(service);
  });
});
