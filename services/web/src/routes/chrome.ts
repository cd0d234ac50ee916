import type { UserProfile } from '@mailcluster/store';
import type { SessionContext } from '../auth/session-service.ts';
import type { FolderView } from '../mail/folders.ts';
import { quotaOf } from '../mail/mailbox-service.ts';
import type { WebServices } from '../services.ts';
import type { Chrome } from '../views/layout.ts';

/** The signed-in user's profile: the one read with the session, else a read of the home db. */
export function profileOf(services: WebServices, session: SessionContext): Promise<UserProfile | null> {
  return session.profile === null ? services.settings.profile(session.address) : Promise.resolve(session.profile);
}

/** The folders with unread counts, and the profile: one read when the profile came with the session. */
export async function foldersAndProfile(services: WebServices, session: SessionContext): Promise<{ folders: FolderView[]; profile: UserProfile | null }> {
  const [folders, profile] = await Promise.all([services.mailbox.folders(session.address, session.profile?.folders), profileOf(services, session)]);
  return { folders, profile };
}

/**
 * What every signed-in page shows around its content: folders with unread counts, quota, the user.
 * The profile (name, settings, quota, own folders) normally came with the session, so this is one
 * read, the unread counts; pages take the folder list and page size from it rather than reading
 * them again (bench/web.ts: the inbox page is bound by its queries).
 */
export async function loadChrome(services: WebServices, session: SessionContext, current: string): Promise<Chrome> {
  const { address } = session;
  const { folders, profile } = await foldersAndProfile(services, session);
  const { displayName, pageSize } = services.settings.account(address, profile);
  return { viewer: { address, displayName, csrfToken: session.csrfToken, pageSize }, folders, quota: quotaOf(profile), current };
}
