import { type Command, UsageError, print, required, say } from '../cli-context.ts';

export const DOMAIN_COMMANDS: Record<string, Command> = {
  async 'domain add'({ admin, options }, [domain]) {
    const added = await admin.domains.add(required(domain, 'domain'), options.quota ?? 0);
    say(`${added ? 'added' : 'already hosted'}: ${required(domain, 'domain').trim().toLowerCase()}`);
  },
  async 'domain list'({ admin, options }) {
    const domains = await admin.domains.list();
    print(options, domains.map((d) => ({ domain: d.name, defaultQuotaBytes: d.defaultQuotaBytes, catchAll: d.catchAll ?? '' })), ['domain', 'defaultQuotaBytes', 'catchAll']);
  },
  async 'domain remove'({ admin, options }, [domain]) {
    const { users } = await admin.domains.remove(required(domain, 'domain'), { force: options.force === true });
    say(`removed: ${domain} (${users} users with their mail)`);
  },
  async 'domain dkim'({ admin, options }, [domain]) {
    const record = await admin.domains.dkimRecord(required(domain, 'domain'));
    if (options.json) say(JSON.stringify({ name: record.name, type: 'TXT', value: record.value }, null, 2));
    else say(`Publish this TXT record so receivers can check mail signed for ${domain}:\n\n${record.zoneLine}`);
  },
  async 'domain set'({ admin, options }, [domain]) {
    const name = required(domain, 'domain');
    if (options.quota === undefined && options['catch-all'] === undefined && !options['no-catch-all']) throw new UsageError('domain set needs --quota, --catch-all or --no-catch-all');
    if (options.quota !== undefined) await admin.domains.setDefaultQuota(name, options.quota);
    if (options['catch-all'] !== undefined) await admin.domains.setCatchAll(name, options['catch-all']);
    if (options['no-catch-all']) await admin.domains.setCatchAll(name, null);
    say(`updated: ${name}`);
  },
};
