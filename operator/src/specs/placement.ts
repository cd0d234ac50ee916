import type { V1Affinity, V1PodSpec, V1TopologySpreadConstraint } from '@kubernetes/client-node';
import type { Placement } from '../api/v1alpha1/mailcluster.ts';

/**
 * Where a tier's pods go. By default they spread over nodes and over zones (as evenly as the
 * scheduler can, never refusing to schedule), and db and NATS pods prefer nodes of their own: the
 * seed gives every tier dedicated machines. The spec's placement replaces what it names.
 */
export function placementFields(
  selector: Record<string, string>,
  placement: Placement | undefined,
  options: { separateNodes: boolean },
): Pick<V1PodSpec, 'nodeSelector' | 'tolerations' | 'affinity' | 'topologySpreadConstraints'> {
  const spread = (topologyKey: string): V1TopologySpreadConstraint => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: 'ScheduleAnyway',
    labelSelector: { matchLabels: selector },
  });
  const defaultAffinity: V1Affinity | undefined = options.separateNodes
    ? {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selector } } },
          ],
        },
      }
    : undefined;
  const affinity = (placement?.affinity as V1Affinity | undefined) ?? defaultAffinity;
  return {
    ...(placement?.nodeSelector ? { nodeSelector: placement.nodeSelector } : {}),
    ...(placement?.tolerations ? { tolerations: placement.tolerations } : {}),
    ...(affinity ? { affinity } : {}),
    topologySpreadConstraints:
      (placement?.topologySpreadConstraints as V1TopologySpreadConstraint[] | undefined) ??
      [spread('kubernetes.io/hostname'), spread('topology.kubernetes.io/zone')],
  };
}
