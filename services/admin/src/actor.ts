import type { AdminRole } from '@mailcluster/store';

/**
 * Who does an admin action, as the audit log names them: `cli:<os user>@<host>` for mailctl (which
 * holds the db credentials, so it is an admin), `admin:<name>` for a signed-in admin,
 * `token:<id>(<name>)` for an API token. A viewer may read, not change.
 */
export interface Actor {
  name: string;
  role: AdminRole;
}

export function adminActor(name: string, role: AdminRole): Actor {
  return { name: `admin:${name}`, role };
}

export function tokenActor(id: string, account: string, role: AdminRole): Actor {
  return { name: `token:${id}(${account})`, role };
}
