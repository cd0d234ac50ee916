import { describe, expect, it } from 'vitest';
import { type TraceInfo, rfc5322Date, traceHeaders } from './trace-headers.ts';

const render = (info: TraceInfo) => {
  const { returnPath, received } = traceHeaders(info);
  return Buffer.concat([returnPath, received]).toString();
};

const base = {
  mailFrom: 'ben@cgisupport.com',
  helo: 'mx.cgisupport.com',
  remoteAddress: '192.0.2.7',
  clientHostname: '',
  serverHostname: 'mx1.mailcluster.dev',
  id: 'ABCDEF123',
  tls: true,
  authenticated: false,
  recipients: ['john@domain.com'],
  date: new Date('2026-11-28T14:00:00Z'),
};

describe('traceHeaders', () => {
  it('adds Return-Path and a Received line naming the single recipient', () => {
    expect(render(base)).toBe(
      'Return-Path: <ben@cgisupport.com>\r\nReceived: from mx.cgisupport.com ([192.0.2.7])\r\n\tby mx1.mailcluster.dev (mailcluster) with ESMTPS id ABCDEF123\r\n\tfor <john@domain.com>;\r\n\tSat, 28 Nov 2026 14:00:00 +0000\r\n',
    );
  });

  it('names the reverse DNS name when there is one, not the bracketed address smtp-server gives otherwise', () => {
    expect(render({ ...base, clientHostname: 'mx.cgisupport.com' })).toContain('from mx.cgisupport.com (mx.cgisupport.com [192.0.2.7])');
    expect(render({ ...base, clientHostname: '[192.0.2.7]' })).toContain('from mx.cgisupport.com ([192.0.2.7])');
  });

  it('leaves out the recipient when there are several, and writes <> for a bounce', () => {
    const text = render({ ...base, mailFrom: '', recipients: ['a@x.com', 'b@x.com'], tls: false });
    expect(text).toContain('Return-Path: <>\r\n');
    expect(text).not.toContain('for <');
    expect(text).toContain('with ESMTP id');
    expect(render({ ...base, authenticated: true })).toContain('with ESMTPSA id');
  });

  it('cannot be made to inject header lines through the HELO name or addresses', () => {
    const text = render({ ...base, helo: 'evil\r\nBcc: x@y', mailFrom: 'a>\r\nX: y@z' });
    expect(text.split('\r\n').filter((line) => /^(Bcc|X):/.test(line))).toEqual([]);
  });

  it('formats dates per RFC 5322 with a numeric zone', () => {
    expect(rfc5322Date(new Date('2026-01-02T03:04:05Z'))).toBe('Fri, 02 Jan 2026 03:04:05 +0000');
  });
});
