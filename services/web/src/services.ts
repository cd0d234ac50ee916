import type { Logger } from '@mailcluster/common';
import type { MailStore } from '@mailcluster/store';
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
  const sessions = new SessionService(store, { idleMs: config.sessionIdleMinutes * 60_000, maxMs: config.sessionMaxHours * 3_600_000 });
  const signIn = await SignIn.create(
    store,
    { accountFailures: config.loginAccountFailures, ipFailures: config.loginIpFailures, windowSeconds: config.loginWindowSeconds },
    log,
  );
  const mailbox = new MailboxService(store);
  const compose = new ComposeService({
    store,
    mailbox,
    mailer: deps.mailer,
    limits: { maxAttachmentsTotalBytes: config.maxAttachmentsTotalBytes, maxRecipients: config.maxRecipients },
    log,
  });
  const settings = new SettingsService({ store, sessions, signIn, defaultPageSize: config.pageSize });
  return { config, log, metrics: deps.metrics, sessions, signIn, mailbox, compose, settings };
}
