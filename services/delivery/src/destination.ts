import type { MxRecord } from 'node:dns';
import { Resolver } from 'node:dns/promises';

/** Where a domain's mail goes, in order of preference. */
export interface Destination {
  /** Names the destination in metrics, queue listings and per-destination connection limits. */
  name: string;
  hosts: { host: string; port: number }[];
}

/** Why a domain has nowhere to deliver to, as far as the sender should know. */
export class NoRouteError extends Error {
  override name = 'NoRouteError';
  /** A domain that says it takes no mail (null MX, RFC 7505) or does not exist: permanent. */
  readonly permanent: boolean;
  constructor(message: string, permanent: boolean) {
    super(message);
    this.permanent = permanent;
  }
}

export interface Router {
  route(domain: string): Promise<Destination>;
}

/** Every domain through one smarthost (a relay host, or the sink of a test). */
export function relayRouter(relay: { host: string; port: number }): Router {
  const destination = { name: `relay:${relay.host}:${relay.port}`, hosts: [relay] };
  return { route: () => Promise.resolve(destination) };
}

const NOT_FOUND = new Set(['ENOTFOUND', 'ENODATA']);

/**
 * The domain's MX hosts by preference (port 25); without MX records, the domain itself (the
 * implicit MX of RFC 5321 §5.1); a null MX means the domain takes no mail. DNS failures that may
 * pass (timeouts, SERVFAIL) are temporary, a domain that does not exist is permanent.
 */
export function mxRouter(servers: readonly string[]): Router {
  const resolver = new Resolver({ timeout: 5_000, tries: 2 });
  if (servers.length > 0) resolver.setServers([...servers]);
  return {
    async route(domain) {
      let records: MxRecord[];
      try {
        records = await resolver.resolveMx(domain);
      } catch (error) {
        const code = (error as { code?: string }).code ?? '';
        if (!NOT_FOUND.has(code)) throw new NoRouteError(`MX lookup for ${domain} failed: ${code}`, false);
        records = [];
      }
      if (records.some((r) => r.exchange === '' || r.exchange === '.')) throw new NoRouteError(`${domain} accepts no mail (null MX)`, true);
      if (records.length === 0) {
        try {
          await resolver.resolve4(domain);
        } catch (error) {
          const code = (error as { code?: string }).code ?? '';
          throw new NoRouteError(`${domain} has no MX and no address (${code})`, NOT_FOUND.has(code));
        }
        return { name: domain, hosts: [{ host: domain, port: 25 }] };
      }
      return { name: domain, hosts: records.sort((a, b) => a.priority - b.priority).map((r) => ({ host: r.exchange, port: 25 })) };
    },
  };
}
