import type { MxRecord } from 'node:dns';
import { Resolver } from 'node:dns/promises';

/** One host to try: a name, or an address already looked up (then `name` is the host's name). */
export interface Target {
  host: string;
  port: number;
  /** The MX host's name when `host` is its address (TLS server name, Remote-MTA). */
  name?: string;
}

/** Where a domain's mail goes, in order of preference. */
export interface Destination {
  /** Names the destination in metrics, queue listings and per-destination connection limits. */
  name: string;
  hosts: Target[];
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
 * pass (timeouts, SERVFAIL) are temporary, a domain that does not exist is permanent. With DNS
 * servers configured, the hosts' addresses come from them too (the SMTP client would ask the
 * system's resolver); a host without an address is skipped, and none with one is temporary.
 */
export function mxRouter(servers: readonly string[]): Router {
  const resolver = new Resolver({ timeout: 5_000, tries: 2 });
  if (servers.length > 0) resolver.setServers([...servers]);
  const addressed = async (destination: Destination): Promise<Destination> => {
    if (servers.length === 0) return destination;
    const hosts: Target[] = [];
    for (const target of destination.hosts) {
      const [v4, v6] = await Promise.allSettled([resolver.resolve4(target.host), resolver.resolve6(target.host)]);
      const addresses = [...(v4.status === 'fulfilled' ? v4.value : []), ...(v6.status === 'fulfilled' ? v6.value : [])];
      hosts.push(...addresses.map((address) => ({ host: address, port: target.port, name: target.host })));
    }
    if (hosts.length === 0) throw new NoRouteError(`no address for the mail hosts of ${destination.name}`, false);
    return { name: destination.name, hosts };
  };
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
        return addressed({ name: domain, hosts: [{ host: domain, port: 25 }] });
      }
      return addressed({ name: domain, hosts: records.sort((a, b) => a.priority - b.priority).map((r) => ({ host: r.exchange, port: 25 })) });
    },
  };
}
