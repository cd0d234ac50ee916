/**
 * The trace lines an MTA adds when it takes a message (RFC 5321 §4.4): `Return-Path` with the
 * envelope sender (we make the final delivery into the mailbox) and a `Received` line.
 */
export interface TraceInfo {
  mailFrom: string;
  /** The name the client gave in HELO/EHLO. */
  helo: string;
  remoteAddress: string;
  /** Reverse DNS of the client; smtp-server gives `[ip]` when there is none. */
  clientHostname: string;
  serverHostname: string;
  /** The transaction id shown in logs and in the 250 reply. */
  id: string;
  tls: boolean;
  /** The client authenticated (submission): `ESMTPA`/`ESMTPSA` (RFC 3848). */
  authenticated: boolean;
  /** Added as `for <address>` only when there is exactly one recipient, as Postfix does. */
  recipients: readonly string[];
  date: Date;
}

/** Keeps client-supplied names to the characters of host names and address literals. */
function safeToken(value: string): string {
  const cleaned = value.replace(/[^A-Za-z0-9.\-_:[\]]/g, '_').slice(0, 255);
  return cleaned === '' ? 'unknown' : cleaned;
}

function safeAddress(value: string): string {
  return value.replace(/[\s<>()\\"]/g, '_').slice(0, 320);
}

/** RFC 5322 date-time, numeric zone. */
export function rfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

/**
 * `returnPath` is written only where a message is finally delivered (a hosted mailbox);
 * `received` goes on every copy, relayed ones included.
 */
export function traceHeaders(info: TraceInfo): { returnPath: Buffer; received: Buffer } {
  const reverse = info.clientHostname !== '' && !info.clientHostname.startsWith('[') ? `${safeToken(info.clientHostname)} ` : '';
  const client = `${safeToken(info.helo)} (${reverse}[${safeToken(info.remoteAddress)}])`;
  const protocol = `ESMTP${info.tls ? 'S' : ''}${info.authenticated ? 'A' : ''}`;
  const via = `${safeToken(info.serverHostname)} (mailcluster) with ${protocol} id ${safeToken(info.id)}`;
  const only = info.recipients.length === 1 ? `\r\n\tfor <${safeAddress(info.recipients[0] ?? '')}>` : '';
  return {
    returnPath: Buffer.from(`Return-Path: <${safeAddress(info.mailFrom)}>\r\n`),
    received: Buffer.from(`Received: from ${client}\r\n\tby ${via}${only};\r\n\t${rfc5322Date(info.date)}\r\n`),
  };
}
