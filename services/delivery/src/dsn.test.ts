import { describe, expect, it } from 'vitest';
import { buildDsn, enhancedStatus, headerBlock, oneLine } from './dsn.ts';

const message = { version: 1 as const, id: 'a'.repeat(64), mailFrom: 'ann@example.com', recipient: 'bob@remote.test', acceptedAt: Date.parse('2026-11-28T10:00:00Z'), size: 100, messageId: '<m1@example.com>' };

describe('DSN', () => {
  const dsn = buildDsn({
    message,
    action: 'failed',
    status: '5.1.1',
    diagnostic: '550 5.1.1 <bob@remote.test>: user unknown',
    remoteMta: 'mx.remote.test',
    reportingMta: 'mx.example.com',
    lastAttempt: new Date('2026-11-28T10:05:00Z'),
    originalHeaders: 'From: ann@example.com\r\nSubject: hi',
  });
  const text = dsn.received.toString();

  it('is an RFC 3464 report from the null sender to the original sender', () => {
    expect(dsn.mailFrom).toBe('');
    expect(dsn.targets).toEqual([{ recipient: 'ann@example.com', folder: 'inbox', seen: false }]);
    expect(text).toMatch(/^From: Mail Delivery System <MAILER-DAEMON@mx\.example\.com>\r\nTo: <ann@example\.com>\r\n/);
    expect(text).toMatch(/Content-Type: multipart\/report; report-type=delivery-status; boundary="dsn-[0-9a-f]+"/);
    expect(text).toContain('\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.com\r\nArrival-Date: Sat, 28 Nov 2026 10:00:00 +0000\r\n\r\nFinal-Recipient: rfc822; bob@remote.test\r\nAction: failed\r\nStatus: 5.1.1\r\nRemote-MTA: dns; mx.remote.test\r\nDiagnostic-Code: smtp; 550 5.1.1');
    expect(text).toContain('Content-Type: text/rfc822-headers\r\n\r\nFrom: ann@example.com\r\nSubject: hi\r\n');
    expect(text).not.toMatch(/[^\r]\n/);
  });

  it('is stored once however often it is made', () => {
    expect(dsn.idempotencyKey).toBe(`dsn:${message.id}:failed`);
    expect(dsn.parsed.inReplyTo).toBe('<m1@example.com>');
  });

  it('takes the enhanced status from the answer, and one clean line of it', () => {
    expect(enhancedStatus('550 5.7.1 relaying denied', '5.0.0')).toBe('5.7.1');
    expect(enhancedStatus('451 try later', '4.0.0')).toBe('4.0.0');
    expect(oneLine('550 bad\r\nX-Injected: yes\x00')).toBe('550 bad X-Injected: yes');
    expect(headerBlock(Buffer.from('A: 1\r\nB: 2\r\n\r\nbody'))).toBe('A: 1\r\nB: 2');
  });
});
