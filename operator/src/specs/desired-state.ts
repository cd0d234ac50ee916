import type { KubernetesObject } from '@kubernetes/client-node';
import type { ShardMap } from '@mailcluster/common';
import { domainsConfigMap, shardMapConfigMap } from './config-maps.ts';
import type { BuildContext } from './context.ts';
import { dbObjects } from './db.ts';
import { deliveryObjects } from './delivery.ts';
import { natsObjects } from './nats.ts';
import { smtpObjects } from './smtp.ts';
import { webObjects } from './web.ts';
import { writerObjects } from './writer.ts';

/**
 * Every object a MailCluster should own, in the order they are applied: configuration first, then
 * the stores (db, NATS), then the services that use them. Secrets are not here: they are created
 * once (specs/secrets.ts), never re-applied.
 */
export function desiredObjects(ctx: BuildContext, shardMap: ShardMap): KubernetesObject[] {
  return [
    shardMapConfigMap(ctx, shardMap),
    domainsConfigMap(ctx),
    ...dbObjects(ctx),
    ...natsObjects(ctx),
    ...writerObjects(ctx),
    ...deliveryObjects(ctx),
    ...smtpObjects(ctx),
    ...webObjects(ctx),
  ];
}
