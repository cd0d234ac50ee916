import type { CoreV1Api } from '@kubernetes/client-node';
import type { Logger } from '@mailcluster/common';
import { describeError } from './kube-errors.ts';

export interface EventTarget {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; uid: string };
}

/**
 * Kubernetes Events about what the operator did (`kubectl describe mailcluster`). Best effort: a
 * failed event is logged, never a reason to fail a reconcile.
 */
export class EventRecorder {
  readonly #api: CoreV1Api;
  readonly #log: Logger;
  readonly #instance: string;

  constructor(api: CoreV1Api, log: Logger, instance: string) {
    this.#api = api;
    this.#log = log;
    this.#instance = instance;
  }

  async record(target: EventTarget, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const now = new Date();
    try {
      await this.#api.createNamespacedEvent({
        namespace: target.metadata.namespace,
        body: {
          metadata: { generateName: `${target.metadata.name}.`, namespace: target.metadata.namespace },
          involvedObject: { apiVersion: target.apiVersion, kind: target.kind, name: target.metadata.name, namespace: target.metadata.namespace, uid: target.metadata.uid },
          type,
          reason,
          message: message.slice(0, 1024),
          source: { component: 'mailcluster-operator' },
          reportingComponent: 'mailcluster.dev/operator',
          reportingInstance: this.#instance,
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      });
    } catch (error) {
      this.#log.warn({ err: describeError(error), reason }, 'could not record event');
    }
  }
}
