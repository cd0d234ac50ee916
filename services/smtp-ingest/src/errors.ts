/**
 * Every reply smtp-ingest refuses mail with, by stable code. The reply text carries the RFC 3463
 * enhanced status code the way Postfix writes it (`550 5.1.1 <x@y>: ...`). A code is never reused
 * for another meaning; docs/errors.md lists them all (checked by errors.test.ts).
 */
export const SMTP_ERRORS = {
  SMTP_ERR_UNKNOWN_USER: { status: 550, enhanced: '5.1.1', text: 'Recipient address rejected: user unknown' },
  SMTP_ERR_MAILBOX_DISABLED: { status: 550, enhanced: '5.2.1', text: 'Mailbox disabled' },
  SMTP_ERR_MAILBOX_FULL: { status: 452, enhanced: '4.2.2', text: 'Mailbox full, try again later' },
  SMTP_ERR_RELAY_DENIED: { status: 554, enhanced: '5.7.1', text: 'Relay access denied' },
  SMTP_ERR_BAD_RECIPIENT: { status: 553, enhanced: '5.1.3', text: 'Recipient address not acceptable' },
  SMTP_ERR_BAD_SENDER: { status: 553, enhanced: '5.1.7', text: 'Sender address not acceptable' },
  SMTP_ERR_TOO_MANY_RECIPIENTS: { status: 452, enhanced: '4.5.3', text: 'Too many recipients' },
  SMTP_ERR_MESSAGE_TOO_BIG: { status: 552, enhanced: '5.3.4', text: 'Message too big' },
  SMTP_ERR_LINE_TOO_LONG: { status: 554, enhanced: '5.6.0', text: 'Message rejected: line too long' },
  SMTP_ERR_BARE_LINE_END: { status: 554, enhanced: '5.6.0', text: 'Message rejected: bare CR or LF (RFC 5321 section 2.3.8)' },
  SMTP_ERR_NUL_BYTE: { status: 554, enhanced: '5.6.0', text: 'Message rejected: NUL byte in message' },
  SMTP_ERR_MIME_LIMIT: { status: 554, enhanced: '5.6.0', text: 'Message rejected: MIME structure over limits' },
  SMTP_ERR_MALFORMED: { status: 554, enhanced: '5.6.0', text: 'Message rejected: malformed message' },
  SMTP_ERR_QUEUE_UNAVAILABLE: { status: 451, enhanced: '4.3.0', text: 'Queue unavailable, try again later' },
  SMTP_ERR_QUEUE_FULL: { status: 452, enhanced: '4.3.1', text: 'Insufficient system storage, try again later' },
  SMTP_ERR_DIRECTORY_UNAVAILABLE: { status: 451, enhanced: '4.3.0', text: 'Recipient lookup failed, try again later' },
  SMTP_ERR_TOO_MANY_CONNECTIONS: { status: 421, enhanced: '4.7.0', text: 'Too many connections from your address, try again later' },
  SMTP_ERR_AUTH_FAILED: { status: 535, enhanced: '5.7.8', text: 'Authentication credentials invalid' },
  SMTP_ERR_AUTH_UNAVAILABLE: { status: 454, enhanced: '4.7.0', text: 'Temporary authentication failure, try again later' },
  SMTP_ERR_AUTH_THROTTLED: { status: 454, enhanced: '4.7.0', text: 'Too many failed authentications, try again later' },
  SMTP_ERR_SENDER_NOT_OWNED: { status: 553, enhanced: '5.7.1', text: 'Sender address not owned by the authenticated user' },
  SMTP_ERR_RATE_LIMITED: { status: 450, enhanced: '4.7.1', text: 'Too many recipients this hour, try again later' },
  SMTP_ERR_NO_REMOTE_DELIVERY: { status: 554, enhanced: '5.7.1', text: 'Delivery to other domains is not enabled' },
  SMTP_ERR_SESSION_TOO_LONG: { status: 421, enhanced: '4.4.2', text: 'Session too long, reconnect to continue' },
} as const;

export type SmtpErrorCode = keyof typeof SMTP_ERRORS;

/** An error smtp-server turns into a reply: `responseCode` is the status, `message` the text. */
export class SmtpReplyError extends Error {
  override name = 'SmtpReplyError';
  readonly code: SmtpErrorCode;
  readonly responseCode: number;

  constructor(code: SmtpErrorCode, detail?: string) {
    const { status, enhanced, text } = SMTP_ERRORS[code];
    super(`${enhanced} ${detail === undefined ? '' : `${detail}: `}${text}`);
    this.code = code;
    this.responseCode = status;
  }
}

export function smtpError(code: SmtpErrorCode, detail?: string): SmtpReplyError {
  return new SmtpReplyError(code, detail);
}
