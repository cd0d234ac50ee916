import type { SessionContext } from '../auth/session-service.ts';
import type { WebServices } from '../services.ts';
import type { Chrome } from '../views/layout.ts';

/** What every signed-in page shows around its content: folders with unread counts, quota, the user. */
export async function loadChrome(services: WebServices, session: SessionContext, current: string): Promise<Chrome> {
  const { address } = session;
  const [folders, quota, settings] = await Promise.all([services.mailbox.folders(address), services.mailbox.quota(address), services.settings.get(address)]);
  return { viewer: { address, displayName: settings.displayName, csrfToken: session.csrfToken }, folders, quota, current };
}
