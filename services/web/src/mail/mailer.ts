import { readFileSync } from 'node:fs';
import { createTransport } from 'nodemailer';
import type { SendMailOptions } from 'nodemailer';
import type { WebConfig } from '../config.ts';
import { WebError } from '../errors.ts';

/** Sends a message on behalf of the signed-in user. */
export interface Mailer {
  send(options: SendMailOptions): Promise<void>;
  close(): void;
}

/**
 * Submission to the smtp tier (smtp-ingest's submission listener) as the web tier's service
 * account, over STARTTLS that must succeed and must verify: against the configured CA (the
 * stack's self-signed certificate) or the system's. A 5xx is the server refusing the message
 * (WEB_ERR_SEND_REFUSED, with its reply shown); anything else means "not sent, try again".
 */
export function submissionMailer(config: WebConfig): Mailer {
  const transport = createTransport({
    pool: true,
    maxConnections: 4,
    host: config.submission.host,
    port: config.submission.port,
    secure: false,
    requireTLS: true,
    tls: {
      ...(config.submissionCaFile === undefined ? {} : { ca: readFileSync(config.submissionCaFile, 'utf8') }),
      // Without a name the certificate is checked against the host (an IP SAN for 127.0.0.1).
      ...(config.submissionTlsServername === undefined ? {} : { servername: config.submissionTlsServername }),
      minVersion: 'TLSv1.2',
    },
    auth: { user: config.submissionUser, pass: config.submissionPassword },
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 60_000,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return {
    async send(options) {
      try {
        await transport.sendMail(options);
      } catch (error) {
        throw sendError(error);
      }
    },
    close: () => transport.close(),
  };
}

export function sendError(error: unknown): WebError {
  const { responseCode, response } = error as { responseCode?: unknown; response?: unknown };
  const reply = typeof response === 'string' ? response.replace(/[\p{Cc}]+/gu, ' ').slice(0, 300) : undefined;
  if (typeof responseCode === 'number' && responseCode >= 500) return new WebError('WEB_ERR_SEND_REFUSED', reply);
  return new WebError('WEB_ERR_SEND_UNAVAILABLE', reply);
}
