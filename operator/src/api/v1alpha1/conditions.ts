import type { Condition } from './mailcluster.ts';

/** Condition types of a MailCluster (Kubernetes API conventions: positive polarity, except Degraded). */
export const CONDITION_TYPES = ['Ready', 'Progressing', 'Degraded', 'ScalingBlocked'] as const;
export type ConditionType = (typeof CONDITION_TYPES)[number];

/** Every reason the operator writes, so dashboards and tests can rely on them. */
export const REASONS = {
  AllTiersReady: 'AllTiersReady',
  TiersNotReady: 'TiersNotReady',
  Reconciling: 'Reconciling',
  UpToDate: 'UpToDate',
  Paused: 'Paused',
  ApplyFailed: 'ApplyFailed',
  NoProblems: 'NoProblems',
  DbShrinkBlocked: 'DbShrinkBlocked',
  ScalingAllowed: 'ScalingAllowed',
} as const;

export type Reason = keyof typeof REASONS;

export interface ConditionUpdate {
  type: ConditionType;
  status: 'True' | 'False' | 'Unknown';
  reason: Reason;
  message: string;
}

/**
 * Sets conditions by type. lastTransitionTime moves only when the status changes, so a reconcile
 * that finds nothing new writes nothing new.
 */
export function mergeConditions(
  current: readonly Condition[] | undefined,
  updates: readonly ConditionUpdate[],
  generation: number | undefined,
  now: Date,
): Condition[] {
  const byType = new Map((current ?? []).map((c) => [c.type, c]));
  for (const update of updates) {
    const previous = byType.get(update.type);
    byType.set(update.type, {
      ...update,
      lastTransitionTime: previous && previous.status === update.status ? previous.lastTransitionTime : now.toISOString().replace(/\.\d+Z$/, 'Z'),
      ...(generation === undefined ? {} : { observedGeneration: generation }),
    });
  }
  return CONDITION_TYPES.flatMap((type) => {
    const condition = byType.get(type);
    return condition ? [condition] : [];
  });
}
