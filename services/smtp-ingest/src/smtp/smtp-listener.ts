import type { Logger } from '@mailcluster/common';
import { normalizeAddress } from '@mailcluster/common';
import { SMTPServer } from 'smtp-server';
import type { IngestConfig } from '../config.ts';
import { SmtpReplyError, smtpError } from '../errors.ts';
import { DataScanner } from '../message/data-scanner.ts';
import { MimeStructureCheck } from '../message/mime-structure.ts';
import type { IngestMetrics } from '../metrics.ts';
import type { MailPublisher } from '@mailcluster/queue';
import { acceptMessage } from './accept-message.ts';
import { ConnectionLimits } from './connection-limits.ts';
import { SlidingWindow } from './sliding-window.ts';
import type { ListenerPolicy } from './listener-policy.ts';

export interface ListenerDeps {
  config: IngestConfig;
  policy: ListenerPolicy;
  listen: { host: string; port: number };
  /** PEM certificate and key for STARTTLS; required when the policy authenticates. */
  tls: { cert: Buffer; key: Buffer } | undefined;
  publisher: MailPublisher;
  metrics: IngestMetrics;
  log: Logger;
}

export interface SmtpListener {
  readonly port: number;
  /**
   * Stops listening; smtp-server answers 421 to every further command, lets a transaction in DATA
   * finish, and closes what is left after `drainTimeoutMs`.
   */
  drain(): Promise<void>;
}

/** Search text kept per message, and the largest HTML worth converting to text for it. */
const PARSE_LIMITS = { maxTextChars: 64 * 1024, maxHtmlChars: 2 * 1024 * 1024 };

/** Longest address we store (RFC 5321 §4.5.3.1: 64 + 1 + 255). */
const MAX_ADDRESS_LENGTH = 320;

/**
 * Failed AUTHs tolerated in a quarter of an hour: per account (guessing one password), and per
 * client IP, higher, as one office behind NAT is many users.
 */
const AUTH_WINDOW_MS = 15 * 60_000;
const AUTH_FAILURES_PER_ACCOUNT = 10;
const AUTH_FAILURES_PER_IP = 30;

/** A handler callback's error must be an Error with a responseCode; anything else becomes 451. */
function replyError(error: unknown): SmtpReplyError {
  return error instanceof SmtpReplyError ? error : smtpError('SMTP_ERR_QUEUE_UNAVAILABLE');
}

/**
 * One SMTP listener: smtp-server with the limits every listener shares, in protocol order —
 * connect (connection limits), AUTH (when the policy asks for it, throttled), MAIL FROM (session
 * age, sender policy), RCPT TO (recipient policy, recipient limit), DATA (scan while receiving,
 * then acceptMessage). What differs between MX and submission is the policy.
 */
export async function startSmtpListener(deps: ListenerDeps): Promise<SmtpListener> {
  const { config, policy, metrics, log, tls } = deps;
  const listener = policy.name;
  const limits = new ConnectionLimits(config.maxConnectionsPerIp);
  const accountFailures = new SlidingWindow(AUTH_FAILURES_PER_ACCOUNT, AUTH_WINDOW_MS);
  const ipFailures = new SlidingWindow(AUTH_FAILURES_PER_IP, AUTH_WINDOW_MS);
  /** Per session: when it started and the client IP holding a slot. */
  const sessions = new Map<string, { startedAt: number; ip: string }>();
  const authenticate = policy.authenticate;
  if (authenticate && !tls) throw new Error(`the ${listener} listener authenticates, so it needs a TLS certificate`);

  const disabledCommands = [...(authenticate ? [] : ['AUTH']), ...(tls ? [] : ['STARTTLS'])];
  const server = new SMTPServer({
    name: config.smtpHostname,
    banner: 'mailcluster',
    size: config.maxMessageBytes,
    authOptional: authenticate === undefined,
    authMethods: ['PLAIN', 'LOGIN'],
    disabledCommands,
    ...(tls ?? {}),
    useProxy: config.smtpProxyProtocol,
    disableReverseLookup: true,
    maxClients: config.maxConnections,
    socketTimeout: config.idleTimeoutMs,
    closeTimeout: config.drainTimeoutMs,
    logger: false,

    onConnect(session, callback) {
      if (!limits.acquire(session.remoteAddress)) {
        metrics.connectionsRefused.inc({ listener, reason: 'per_ip_limit' });
        return callback(smtpError('SMTP_ERR_TOO_MANY_CONNECTIONS'));
      }
      sessions.set(session.id, { startedAt: Date.now(), ip: session.remoteAddress });
      metrics.connections.inc({ listener });
      callback();
    },

    onClose(session) {
      const entry = sessions.get(session.id);
      if (!entry) return;
      sessions.delete(session.id);
      limits.release(entry.ip);
      metrics.connections.dec({ listener });
    },

    onAuth(auth, session, callback) {
      const username = auth.username ?? '';
      const account = username.toLowerCase();
      if (!authenticate) return callback(smtpError('SMTP_ERR_AUTH_FAILED'));
      if (accountFailures.isOver(account) || ipFailures.isOver(session.remoteAddress)) {
        metrics.authFailures.inc({ listener, reason: 'throttled' });
        return callback(smtpError('SMTP_ERR_AUTH_THROTTLED'));
      }
      authenticate(username, auth.password ?? '').then(
        (principal) => callback(null, { user: principal }),
        (error: unknown) => {
          const reply = replyError(error);
          if (reply.code === 'SMTP_ERR_AUTH_FAILED') {
            accountFailures.add(account);
            ipFailures.add(session.remoteAddress);
          } else log.warn({ err: error, session: session.id }, 'authentication lookup failed');
          metrics.authFailures.inc({ listener, reason: reply.code });
          callback(reply);
        },
      );
    },

    onMailFrom(address, session, callback) {
      const started = sessions.get(session.id)?.startedAt ?? Date.now();
      if (Date.now() - started > config.sessionTimeoutMs) return callback(smtpError('SMTP_ERR_SESSION_TOO_LONG'));
      if (address.address.length > MAX_ADDRESS_LENGTH) return callback(smtpError('SMTP_ERR_BAD_SENDER'));
      policy.checkSender(normalizeAddress(address.address), session).then(
        () => callback(),
        (error: unknown) => callback(replyError(error)),
      );
    },

    onRcptTo(address, session, callback) {
      const rcpt = normalizeAddress(address.address);
      const check = async () => {
        if (session.envelope.rcptTo.length >= config.maxRecipients) throw smtpError('SMTP_ERR_TOO_MANY_RECIPIENTS');
        const at = rcpt.lastIndexOf('@');
        if (at < 1 || at === rcpt.length - 1 || rcpt.length > MAX_ADDRESS_LENGTH) throw smtpError('SMTP_ERR_BAD_RECIPIENT', `<${rcpt}>`);
        await policy.checkRecipient(rcpt, session);
      };
      check().then(
        () => callback(),
        (error: unknown) => {
          const reply = replyError(error);
          if (!(error instanceof SmtpReplyError) || reply.cause !== undefined) log.warn({ err: reply.cause ?? error, session: session.id }, 'recipient check failed');
          metrics.recipientsRejected.inc({ listener, reason: reply.code });
          callback(reply);
        },
      );
    },

    onData(stream, session, callback) {
      const scanner = new DataScanner({ maxBytes: config.maxMessageBytes, maxLineLength: config.maxLineLength });
      const structure = new MimeStructureCheck({
        maxParts: config.maxMimeParts,
        maxDepth: config.maxMimeDepth,
        maxHeaderBytes: config.maxHeaderBytes,
      });
      stream.on('data', (chunk: Buffer) => {
        scanner.push(chunk);
        if (!scanner.oversized) structure.push(chunk);
      });
      stream.once('end', () => {
        structure
          .finish()
          .then((problem) =>
            acceptMessage({ ...deps, hostname: config.smtpHostname, parseLimits: PARSE_LIMITS }, session, scanner, problem),
          )
          .then(
            (reply) => {
              metrics.accepted.inc({ listener });
              callback(null, reply);
            },
            (error: unknown) => {
              const reply = replyError(error);
              if (!(error instanceof SmtpReplyError) || reply.responseCode < 500) {
                log.warn({ err: error instanceof SmtpReplyError ? error.cause : error, session: session.id }, 'message not accepted');
              }
              metrics.rejected.inc({ listener, reason: reply.code });
              callback(reply);
            },
          );
      });
    },
  });

  server.on('error', (error) => log.warn({ err: error, listener }, 'SMTP connection error'));
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(deps.listen.port, deps.listen.host, () => resolve());
  });
  const address = server.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : deps.listen.port;
  log.info({ listener, host: deps.listen.host, port, starttls: tls !== undefined, auth: authenticate !== undefined, proxyProtocol: config.smtpProxyProtocol }, `SMTP ${listener} listening`);

  return {
    port,
    drain: () =>
      new Promise<void>((resolve) => {
        log.info({ listener, open: sessions.size, timeoutMs: config.drainTimeoutMs }, 'draining SMTP sessions');
        server.close(() => resolve());
      }),
  };
}
