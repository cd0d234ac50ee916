import type { V1ConfigMap } from '@kubernetes/client-node';
import type { ShardMap } from '@mailcluster/common';
import type { BuildContext } from './context.ts';
import { ownedMeta } from './object-meta.ts';
import { SHARD_MAP_KEY } from './service-pod.ts';
import type { Applied } from './workload.ts';

/** The shard map (prefix → db ordinal, with its epoch), mounted into every service (DESIGN §3). */
export function shardMapConfigMap(ctx: BuildContext, map: ShardMap): Applied<V1ConfigMap> {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: ownedMeta(ctx.cluster, ctx.names.shardMap, 'config'),
    data: { [SHARD_MAP_KEY]: `${JSON.stringify(map)}\n` },
  };
}

/** spec.domains, one per line; the writers add them to db 0's directory. */
export function domainsConfigMap(ctx: BuildContext): Applied<V1ConfigMap> {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: ownedMeta(ctx.cluster, ctx.names.domains, 'config'),
    data: { domains: ctx.cluster.spec.domains.map((d) => `${d}\n`).join('') },
  };
}
