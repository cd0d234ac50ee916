import type { SessionContext } from '../auth/session-service.ts';
import { quotaOf } from '../mail/mailbox-service.ts';
import type { WebServices } from '../services.ts';
import type { Chrome } from '../views/layout.ts';

/**
 * What every signed-in page shows around its content: folders with unread counts, quota, the user.
 * The profile (name, settings, quota, own folders) came with the session, so this is one read, the
 * unread counts; pages take the folder list and page size from it rather than reading them again
 * (bench/web.ts: the inbox page is bound by its queries).
 */
export async function loadChrome(services: WebServices, session: SessionContext, current: string): Promise<Chrome> {
  const { address, profile } = session;
  const folders = await services.mailbox.folders(address, profile?.folders);
  const { displayName, pageSize } = services.settings.account(address, profile);
  return { viewer: { address, displayName, csrfToken: session.csrfToken, pageSize }, folders, quota: quotaOf(profile), current };
}
