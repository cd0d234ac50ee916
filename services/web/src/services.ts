import { type Logger, addressPrefix } from '@mailcluster/common';
import { type Actor, AdminService } from '@mailcluster/admin';
import type { MailStore } from '@mailcluster/store';
import { AdminSignIn } from './admin/admin-sign-in.ts';
import { SettingsService } from './account/settings-service.ts';
import { SessionService } from './auth/session-service.ts';
import { SignIn } from './auth/sign-in.ts';
import type { WebConfig } from './config.ts';
import { ComposeService } from './mail/compose-service.ts';
import { MailboxService } from './mail/mailbox-service.ts';
import type { Mailer } from './mail/mailer.ts';
import type { WebMetrics } from './metrics.ts';

/** What the routes work with, built once from the process's dependencies. */
export interface WebServices {
  config: WebConfig;
  log: Logger;
  metrics: WebMetrics;
  sessions: SessionService;
  signIn: SignIn;
  mailbox: MailboxService;
  compose: ComposeService;
  settings: SettingsService;
  /** The admin front: its sessions (own table and cookie), sign-in, and the admin service as someone. */
  store: MailStore;
  adminSessions: SessionService;
  adminSignIn: AdminSignIn;
  adminFor(actor: Actor): AdminService;
}

export interface WebDeps {
  config: WebConfig;
  store: MailStore;
  mailer: Mailer;
  log: Logger;
  metrics: WebMetrics;
}

export async function createServices(deps: WebDeps): Promise<WebServices> {
  const { config, store, log } = deps;
  const lifetime = { idleMs: config.sessionIdleMinutes * 60_000, maxMs: config.sessionMaxHours * 3_600_000 };
  // A user's session lives on the user's home db; an admin's on db 0, with the other admin tables.
  const sessions = new SessionService(store, { ...lifetime, table: 'WebSessions', dbOf: (address) => store.dbOfPrefix(addressPrefix(address)) });
  const throttle = { accountFailures: config.loginAccountFailures, ipFailures: config.loginIpFailures, windowSeconds: config.loginWindowSeconds };
  const signIn = await SignIn.create(store, throttle, log);
  const mailbox = new MailboxService(store);
  const compose = new ComposeService({
    store,
    mailbox,
    mailer: deps.mailer,
    limits: { maxAttachmentsTotalBytes: config.maxAttachmentsTotalBytes, maxRecipients: config.maxRecipients },
    log,
  });
  const settings = new SettingsService({ store, sessions, signIn, defaultPageSize: config.pageSize });
  const adminSessions = new SessionService(store, { ...lifetime, table: 'AdminSessions', dbOf: () => 0 });
  const adminSignIn = await AdminSignIn.create(store, throttle);
  const adminFor = (actor: Actor) => new AdminService(store, actor);
  return { config, log, metrics: deps.metrics, store, sessions, signIn, mailbox, compose, settings, adminSessions, adminSignIn, adminFor };
}
