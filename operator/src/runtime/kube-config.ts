import { KubeConfig, type RequestContext } from '@kubernetes/client-node';

/**
 * A KubeConfig whose requests share connections. client-node 2 gives every request a new undici
 * Agent (KubeConfig.applySecurityAuthentication → createDispatcher, uncached), so every request,
 * watches included, opened its own TLS connection: a handshake and a new SecureContext on both
 * sides for each GET, apply and Lease renewal (the bench profile of 100 MailClusters: a fifth of
 * the operator's CPU; docs/adr/0013). Here the first Agent made for a cluster and user serves every
 * later request: undici keeps its connections alive (HTTP/2 to the API server, with PINGs that
 * drop a dead connection). Headers (the bearer token, re-read when it rotates) are still set per
 * request; only the TLS settings, which belong to the cluster and user, are fixed.
 */
export class PooledKubeConfig extends KubeConfig {
  readonly #dispatchers = new Map<string, NonNullable<ReturnType<RequestContext['getDispatcher']>>>();

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const made = context.getDispatcher();
    if (made === undefined) return;
    const key = JSON.stringify([this.getCurrentCluster()?.name, this.getCurrentCluster()?.server, this.getCurrentUser()?.name]);
    const shared = this.#dispatchers.get(key);
    if (shared === undefined) this.#dispatchers.set(key, made);
    else context.setDispatcher(shared);
  }
}
