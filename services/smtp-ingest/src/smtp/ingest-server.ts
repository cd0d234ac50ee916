import { readFileSync } from 'node:fs';
import { type Logger, addressDomain, normalizeAddress } from '@mailcluster/common';
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';
import type { IngestConfig } from '../config.ts';
import { SmtpReplyError, smtpError } from '../errors.ts';
import { DataScanner } from '../message/data-scanner.ts';
import { MimeStructureCheck } from '../message/mime-structure.ts';
import type { IngestMetrics } from '../metrics.ts';
import type { MailPublisher } from '../publish/mail-publisher.ts';
import { acceptMessage } from './accept-message.ts';
import { ConnectionLimits } from './connection-limits.ts';
import type { Directory } from './directory.ts';

export interface IngestServerDeps {
  config: IngestConfig;
  directory: Directory;
  publisher: MailPublisher;
  metrics: IngestMetrics;
  log: Logger;
}

export interface IngestServer {
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

/** A handler callback's error must be an Error with a responseCode; anything else becomes 451. */
function replyError(error: unknown): SmtpReplyError {
  return error instanceof SmtpReplyError ? error : smtpError('SMTP_ERR_QUEUE_UNAVAILABLE');
}

/**
 * The SMTP side of ingest: smtp-server with our policy in its hooks, in protocol order —
 * connect (connection limits), MAIL FROM (session age, drain), RCPT TO (relay and mailbox checks,
 * recipient limit), DATA (scan while receiving, then acceptMessage).
 */
export async function startIngestServer(deps: IngestServerDeps): Promise<IngestServer> {
  const { config, directory, metrics, log } = deps;
  const limits = new ConnectionLimits(config.maxConnectionsPerIp);
  /** Per session: when it started and whether it holds a per-IP slot. */
  const sessions = new Map<string, { startedAt: number; ip: string }>();

  const tls = config.tlsCertFile !== undefined && config.tlsKeyFile !== undefined
    ? { cert: readFileSync(config.tlsCertFile), key: readFileSync(config.tlsKeyFile) }
    : undefined;

  const server = new SMTPServer({
    name: config.smtpHostname,
    banner: 'mailcluster',
    size: config.maxMessageBytes,
    authOptional: true,
    disabledCommands: tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    ...(tls ?? {}),
    useProxy: config.smtpProxyProtocol,
    disableReverseLookup: true,
    maxClients: config.maxConnections,
    socketTimeout: config.idleTimeoutMs,
    closeTimeout: config.drainTimeoutMs,
    logger: false,

    onConnect(session, callback) {
      if (!limits.acquire(session.remoteAddress)) {
        metrics.connectionsRefused.inc({ reason: 'per_ip_limit' });
        return callback(smtpError('SMTP_ERR_TOO_MANY_CONNECTIONS'));
      }
      sessions.set(session.id, { startedAt: Date.now(), ip: session.remoteAddress });
      metrics.connections.set(sessions.size);
      callback();
    },

    onClose(session) {
      const entry = sessions.get(session.id);
      if (!entry) return;
      sessions.delete(session.id);
      limits.release(entry.ip);
      metrics.connections.set(sessions.size);
    },

    onMailFrom(address, session, callback) {
      const started = sessions.get(session.id)?.startedAt ?? Date.now();
      if (Date.now() - started > config.sessionTimeoutMs) return callback(smtpError('SMTP_ERR_SESSION_TOO_LONG'));
      if (address.address.length > MAX_ADDRESS_LENGTH) return callback(smtpError('SMTP_ERR_BAD_SENDER'));
      callback();
    },

    onRcptTo(address, session, callback) {
      checkRecipient(address, session).then(
        () => callback(),
        (error: unknown) => {
          const reply = replyError(error);
          if (!(error instanceof SmtpReplyError)) log.warn({ err: error, session: session.id }, 'recipient lookup failed');
          metrics.recipientsRejected.inc({ reason: reply.code });
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
          .then((problem) => acceptMessage({ ...deps, hostname: config.smtpHostname, parseLimits: PARSE_LIMITS }, session, scanner, problem))
          .then(
            (reply) => {
              metrics.accepted.inc();
              callback(null, reply);
            },
            (error: unknown) => {
              const reply = replyError(error);
              if (!(error instanceof SmtpReplyError) || reply.responseCode < 500) {
                log.warn({ err: error instanceof SmtpReplyError ? error.cause : error, session: session.id }, 'message not accepted');
              }
              metrics.rejected.inc({ reason: reply.code });
              callback(reply);
            },
          );
      });
    },
  });

  async function checkRecipient(address: SMTPServerAddress, session: SMTPServerSession): Promise<void> {
    const rcpt = normalizeAddress(address.address);
    if (session.envelope.rcptTo.length >= config.maxRecipients) throw smtpError('SMTP_ERR_TOO_MANY_RECIPIENTS');
    const at = rcpt.lastIndexOf('@');
    if (at < 1 || at === rcpt.length - 1 || rcpt.length > MAX_ADDRESS_LENGTH) throw smtpError('SMTP_ERR_BAD_RECIPIENT', `<${rcpt}>`);
    let hosted: boolean;
    let state;
    try {
      hosted = await directory.isHostedDomain(rcpt);
      state = hosted ? await directory.mailboxState(rcpt) : undefined;
    } catch (error) {
      throw Object.assign(smtpError('SMTP_ERR_DIRECTORY_UNAVAILABLE'), { cause: error });
    }
    if (!hosted) throw smtpError('SMTP_ERR_RELAY_DENIED', `<${rcpt}>: domain ${addressDomain(rcpt)} is not hosted here`);
    if (state === 'disabled') throw smtpError('SMTP_ERR_MAILBOX_DISABLED', `<${rcpt}>`);
    if (state !== 'active') throw smtpError('SMTP_ERR_UNKNOWN_USER', `<${rcpt}>`);
  }

  server.on('error', (error) => log.warn({ err: error }, 'SMTP connection error'));
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(config.smtpListen.port, config.smtpListen.host, () => resolve());
  });
  const address = server.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.smtpListen.port;
  log.info({ host: config.smtpListen.host, port, starttls: tls !== undefined, proxyProtocol: config.smtpProxyProtocol }, 'SMTP listening');

  return {
    port,
    drain: () =>
      new Promise<void>((resolve) => {
        log.info({ open: sessions.size, timeoutMs: config.drainTimeoutMs }, 'draining SMTP sessions');
        server.close(() => resolve());
      }),
  };
}
