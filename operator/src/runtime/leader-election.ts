import type { CoordinationV1Api, V1Lease } from '@kubernetes/client-node';
import type { Logger } from '@mailcluster/common';
import { describeError, isAlreadyExists, isNotFound } from './kube-errors.ts';

/**
 * Lease times are MicroTime: the API server wants exactly six fractional digits, and client-node
 * writes a Date with three (toISOString). This Date writes itself with six.
 */
class MicroTime extends Date {
  override toISOString(): string {
    return super.toISOString().replace(/Z$/, '000Z');
  }
}

export interface LeaderElectionOptions {
  api: CoordinationV1Api;
  namespace: string;
  name: string;
  /** This process, as shown in the Lease's holderIdentity (the pod name in a cluster). */
  identity: string;
  log: Logger;
  /** controller-runtime's defaults: 15 s lease, renew within 10 s, retry every 2 s. */
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  onStartedLeading: () => void;
  /** Leadership lost: the caller must stop acting at once (the operator exits). */
  onStoppedLeading: () => void;
}

/**
 * Leader election on a coordination.k8s.io Lease, the way client-go does it: take the lease when
 * it is free or has not been renewed for a lease duration (measured on our own clock from when we
 * last saw it change, so clocks need not agree), then renew it; a leader that cannot renew within
 * the deadline gives up leadership. Writes are optimistic (resourceVersion): two candidates can
 * never both win.
 */
export class LeaderElector {
  readonly #o: Required<Omit<LeaderElectionOptions, 'onStartedLeading' | 'onStoppedLeading'>> & Pick<LeaderElectionOptions, 'onStartedLeading' | 'onStoppedLeading'>;
  #leading = false;
  #observed: { record: string; at: number } | undefined;
  #lastRenewal = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: LeaderElectionOptions) {
    this.#o = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, ...options };
  }

  get isLeader(): boolean {
    return this.#leading;
  }

  start(): void {
    const tick = () => {
      // #tryAcquireOrRenew never rejects: it logs its own failures.
      void this.#tryAcquireOrRenew().finally(() => {
        if (!this.#stopped) this.#timer = setTimeout(tick, this.#o.retryPeriodMs);
      });
    };
    tick();
  }

  /** Stops campaigning; a leader releases the lease so a standby takes over at once. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    if (!this.#leading) return;
    this.#leading = false;
    try {
      const lease = await this.#o.api.readNamespacedLease({ name: this.#o.name, namespace: this.#o.namespace });
      if (lease.spec?.holderIdentity === this.#o.identity) {
        await this.#o.api.replaceNamespacedLease({
          name: this.#o.name,
          namespace: this.#o.namespace,
          body: { ...lease, spec: { ...lease.spec, holderIdentity: undefined, renewTime: undefined, acquireTime: undefined } },
        });
      }
    } catch (error) {
      this.#o.log.warn({ err: describeError(error) }, 'could not release the lease');
    }
  }

  async #tryAcquireOrRenew(): Promise<void> {
    const { api, namespace, name, identity, log } = this.#o;
    const now = new Date();
    try {
      let lease: V1Lease;
      try {
        lease = await api.readNamespacedLease({ name, namespace });
      } catch (error) {
        if (!isNotFound(error)) throw error;
        await api.createNamespacedLease({ namespace, body: this.#leaseFor(undefined, now, true) });
        this.#becomeLeader(now);
        return;
      }
      const holder = lease.spec?.holderIdentity;
      const record = `${holder}/${String(lease.spec?.renewTime)}/${lease.metadata?.resourceVersion}`;
      if (this.#observed?.record !== record) this.#observed = { record, at: now.getTime() };
      const expired = this.#observed.at + (lease.spec?.leaseDurationSeconds ?? 15) * 1000 < now.getTime();
      if (holder && holder !== identity && !expired) {
        if (this.#leading) this.#loseLeadership(`lease taken by ${holder}`);
        return;
      }
      await api.replaceNamespacedLease({ name, namespace, body: this.#leaseFor(lease, now, holder !== identity) });
      this.#becomeLeader(now);
    } catch (error) {
      // 409: another candidate wrote first; any other error: the API server may be away.
      if (!isAlreadyExists(error)) log.warn({ err: describeError(error) }, 'leader election: lease update failed');
      if (this.#leading && Date.now() - this.#lastRenewal > this.#o.renewDeadlineMs) this.#loseLeadership('could not renew the lease in time');
    }
  }

  #leaseFor(existing: V1Lease | undefined, at: Date, acquiring: boolean): V1Lease {
    const now = new MicroTime(at.getTime());
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { ...(existing?.metadata ?? {}), name: this.#o.name, namespace: this.#o.namespace },
      spec: {
        holderIdentity: this.#o.identity,
        leaseDurationSeconds: Math.round(this.#o.leaseDurationMs / 1000),
        acquireTime: acquiring ? now : existing?.spec?.acquireTime && new MicroTime(new Date(existing.spec.acquireTime).getTime()),
        renewTime: now,
        leaseTransitions: (existing?.spec?.leaseTransitions ?? 0) + (acquiring && existing?.spec?.holderIdentity ? 1 : 0),
      },
    };
  }

  #becomeLeader(now: Date): void {
    this.#lastRenewal = now.getTime();
    if (this.#leading) return;
    this.#leading = true;
    this.#o.log.info({ lease: `${this.#o.namespace}/${this.#o.name}`, identity: this.#o.identity }, 'became leader');
    this.#o.onStartedLeading();
  }

  #loseLeadership(reason: string): void {
    this.#leading = false;
    this.#o.log.error({ reason }, 'lost leadership');
    this.#o.onStoppedLeading();
  }
}
