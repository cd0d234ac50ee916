import { normalizeAddress } from '@mailcluster/common';
import { type MailPublisher, QueueRefusedError } from '@mailcluster/queue';
import type { SMTPServerSession } from 'smtp-server';
import { type SmtpReplyError, smtpError } from '../errors.ts';
import type { DataScanner, DataViolation } from '../message/data-scanner.ts';
import { parseMail } from '../message/parse-mail.ts';
import { traceHeaders } from '../message/trace-headers.ts';
import type { IngestMetrics } from '../metrics.ts';
import { type ListenerPolicy, sessionPrincipal } from './listener-policy.ts';

const VIOLATION_ERRORS: Record<DataViolation, () => SmtpReplyError> = {
  'nul-byte': () => smtpError('SMTP_ERR_NUL_BYTE'),
  'bare-line-end': () => smtpError('SMTP_ERR_BARE_LINE_END'),
  'line-too-long': () => smtpError('SMTP_ERR_LINE_TOO_LONG'),
};

export interface AcceptDeps {
  policy: ListenerPolicy;
  publisher: MailPublisher;
  metrics: IngestMetrics;
  hostname: string;
  parseLimits: { maxTextChars: number; maxHtmlChars: number };
}

/**
 * Decides on a complete message: refuse it (throws an SmtpReplyError) or hand it to the queue and
 * return the 250 text. Order matters: cheap checks first, the queue last, so nothing refused is
 * ever published.
 */
export async function acceptMessage(
  deps: AcceptDeps,
  session: SMTPServerSession,
  scanner: DataScanner,
  structureProblem: string | undefined,
): Promise<string> {
  const received = scanner.finish();
  if (scanner.oversized) throw smtpError('SMTP_ERR_MESSAGE_TOO_BIG');
  if (scanner.violation !== undefined) throw VIOLATION_ERRORS[scanner.violation]();
  if (structureProblem !== undefined) throw smtpError('SMTP_ERR_MIME_LIMIT', structureProblem);

  const parseStarted = performance.now();
  let parsed;
  try {
    parsed = await parseMail(received, deps.parseLimits);
  } catch (error) {
    throw smtpError('SMTP_ERR_MALFORMED', error instanceof Error ? error.message.slice(0, 100) : undefined);
  }
  deps.metrics.parseSeconds.observe((performance.now() - parseStarted) / 1000);

  const mailFrom = session.envelope.mailFrom === false ? '' : normalizeAddress(session.envelope.mailFrom.address);
  const recipients = [...new Set(session.envelope.rcptTo.map((rcpt) => normalizeAddress(rcpt.address)))];
  const acceptedAt = new Date();
  const { returnPath, received: receivedLine } = traceHeaders({
    mailFrom,
    helo: session.hostNameAppearsAs,
    remoteAddress: session.remoteAddress,
    clientHostname: session.clientHostname,
    serverHostname: deps.hostname,
    id: session.id,
    tls: session.secure,
    authenticated: sessionPrincipal(session) !== undefined,
    recipients,
    date: acceptedAt,
  });

  const { targets, remote } = await deps.policy.route(mailFrom, recipients, session);
  const publishStarted = performance.now();
  try {
    await deps.publisher.publish({
      received,
      stored: Buffer.concat([returnPath, receivedLine, received]),
      relayed: Buffer.concat([receivedLine, received]),
      mailFrom,
      targets,
      remote,
      parsed,
      acceptedAt: acceptedAt.getTime(),
    });
  } catch (error) {
    if (!(error instanceof QueueRefusedError)) throw error;
    throw Object.assign(smtpError(error.full ? 'SMTP_ERR_QUEUE_FULL' : 'SMTP_ERR_QUEUE_UNAVAILABLE'), { cause: error.cause });
  }
  deps.metrics.publishSeconds.observe((performance.now() - publishStarted) / 1000);
  deps.metrics.copies.inc(targets.length);
  deps.metrics.outbound.inc(remote.length);

  deps.metrics.messageBytes.observe(received.length);
  return `2.0.0 Ok: queued as ${session.id}`;
}
