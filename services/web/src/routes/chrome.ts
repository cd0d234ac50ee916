import type { SessionContext } from '../auth/session-service.ts';
import type { WebServices } from '../services.ts';
import type { Chrome } from '../views/layout.ts';

/**
 * What every signed-in page shows around its content: folders with unread counts, quota, the user.
 * Three reads on the user's home db (folders, unread counts, profile with settings); pages take
 * the folder list and page size from it rather than reading them again (bench/web.ts: the inbox
 * page is bound by its queries).
 */
export async function loadChrome(services: WebServices, session: SessionContext, current: string): Promise<Chrome> {
  const { address } = session;
  const [folders, { settings, quota }] = await Promise.all([services.mailbox.folders(address), services.settings.withQuota(address)]);
  return { viewer: { address, displayName: settings.displayName, csrfToken: session.csrfToken, pageSize: settings.pageSize }, folders, quota, current };
}
