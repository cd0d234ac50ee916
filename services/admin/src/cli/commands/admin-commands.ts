import { parseRole } from '../../admin-accounts.ts';
import { type Command, UsageError, print, required, say } from '../cli-context.ts';

/** Admin accounts for the admin API and pages, and their API tokens. */
export const ADMIN_COMMANDS: Record<string, Command> = {
  async 'admin add'({ admin, options, readSecret }, [name]) {
    required(name, 'admin name');
    if (!options['password-stdin']) throw new UsageError('admin add needs --password-stdin');
    await admin.admins.create(name as string, await readSecret(), parseRole(options.role ?? 'admin'));
    say(`admin added: ${name} (${options.role ?? 'admin'})`);
  },
  async 'admin list'({ admin, options }) {
    const admins = await admin.admins.list();
    print(options, admins.map((a) => ({ name: a.name, role: a.role, created: a.createdAt.toISOString() })), ['name', 'role', 'created']);
  },
  async 'admin delete'({ admin }, [name]) {
    await admin.admins.remove(required(name, 'admin name'));
    say(`admin deleted: ${name}`);
  },
  async 'admin passwd'({ admin, options, readSecret }, [name]) {
    required(name, 'admin name');
    if (!options['password-stdin']) throw new UsageError('admin passwd needs --password-stdin');
    await admin.admins.setPassword(name as string, await readSecret());
    say(`password set: ${name}`);
  },
  async 'token create'({ admin, options }, [account]) {
    const days = options['expires-days'] === undefined ? undefined : Number(options['expires-days']);
    if (days !== undefined && !(Number.isInteger(days) && days > 0)) throw new UsageError('--expires-days must be a whole number of days');
    const role = options.role === undefined ? undefined : parseRole(options.role);
    const { id, token } = await admin.admins.createToken(required(account, 'admin name'), { role, label: options.label, expiresInDays: days });
    if (options.json) print(options, [{ id, token }], ['id', 'token']);
    else say(`token ${id} for ${account} (shown once; send it as "Authorization: Bearer <token>"):\n${token}`);
  },
  async 'token list'({ admin, options }, [account]) {
    const tokens = await admin.admins.listTokens(account);
    print(
      options,
      tokens.map((t) => ({ id: t.id, admin: t.account, role: t.role, label: t.label, expires: t.expiresAt?.toISOString() ?? 'never', lastUsed: t.lastUsedAt?.toISOString() ?? '' })),
      ['id', 'admin', 'role', 'label', 'expires', 'lastUsed'],
    );
  },
  async 'token revoke'({ admin }, [id]) {
    await admin.admins.revokeToken(required(id, 'token id'));
    say(`token revoked: ${id}`);
  },
};
