import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataScanner } from './data-scanner.ts';

const LIMITS = { maxBytes: 10_000, maxLineLength: 998 };

function scan(parts: (string | Buffer)[], limits = LIMITS): DataScanner {
  const scanner = new DataScanner(limits);
  for (const part of parts) scanner.push(Buffer.isBuffer(part) ? part : Buffer.from(part, 'latin1'));
  scanner.finish();
  return scanner;
}

describe('DataScanner', () => {
  it('accepts a well-formed message, however it is chunked', () => {
    const message = 'Subject: hi\r\n\r\nline one\r\nline two\r\n';
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: message.length - 1 }), { maxLength: 6 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const parts = [0, ...points].map((start, i) => message.slice(start, points[i] ?? message.length));
        expect(scan(parts).violation).toBeUndefined();
      }),
    );
  });

  // hannob/smtpsmug end-of-data look-alikes: inside DATA they are bare CR/LF (or NUL) sequences.
  it.each([
    ['\\n.\\n', '\n.\n'],
    ['\\r.\\r', '\r.\r'],
    ['\\r.\\n', '\r.\n'],
    ['\\n.\\r', '\n.\r'],
    ['\\n.\\r\\n', '\n.\r\n'],
    ['\\r\\n.\\n', '\r\n.\n'],
    ['\\r.\\r\\n', '\r.\r\n'],
    ['\\r\\n.\\r', '\r\n.\r'],
  ])('flags the smuggling sequence %s as a bare line end', (_name, sequence) => {
    expect(scan([`Subject: x\r\n\r\nhello${sequence}MAIL FROM:<evil@x>\r\n`]).violation).toBe('bare-line-end');
  });

  it('flags NUL bytes (also the \\r\\n\\x00.\\r\\n smuggling vector)', () => {
    expect(scan(['Subject: x\r\n\r\nhello\r\n\x00.\r\nmore\r\n']).violation).toBe('nul-byte');
  });

  it('finds a bare CR or LF split across chunks', () => {
    expect(scan(['abc\r', 'def\r\n']).violation).toBe('bare-line-end');
    expect(scan(['abc\r', '\ndef\r\n']).violation).toBeUndefined();
    expect(scan(['abc', '\ndef\r\n']).violation).toBe('bare-line-end');
    expect(scan(['abc\r']).violation).toBe('bare-line-end');
  });

  it('measures lines without their CRLF, across chunks', () => {
    const limits = { maxBytes: 10_000, maxLineLength: 10 };
    expect(scan(['0123456789\r\n'], limits).violation).toBeUndefined();
    expect(scan(['01234', '56789\r', '\n'], limits).violation).toBeUndefined();
    expect(scan(['01234567890\r\n'], limits).violation).toBe('line-too-long');
    expect(scan(['0123456', '7890\r\n'], limits).violation).toBe('line-too-long');
    expect(scan(['ok\r\n', '01234567890'], limits).violation).toBe('line-too-long');
  });

  it('stops keeping bytes past the size limit but keeps counting', () => {
    const scanner = new DataScanner({ maxBytes: 10, maxLineLength: 998 });
    scanner.push(Buffer.from('0123456789'));
    expect(scanner.oversized).toBe(false);
    scanner.push(Buffer.from('x'));
    expect(scanner.oversized).toBe(true);
    expect(scanner.bytes).toBe(11);
    expect(scanner.finish()).toHaveLength(0);
  });

  it('returns the message bytes unchanged', () => {
    const scanner = new DataScanner(LIMITS);
    scanner.push(Buffer.from('a\r\n'));
    scanner.push(Buffer.from('b\r\n'));
    expect(scanner.finish().toString()).toBe('a\r\nb\r\n');
  });
});
