import { describe, expect, it } from 'vitest';
import { EnvelopeError, type MailCopy, decodeMailCopy, encodeMailCopy } from './envelope.ts';

const copy: MailCopy = {
  version: 1,
  recipient: 'john@domain.com',
  mailFrom: '',
  acceptedAt: 1_764_000_000_000,
  dedupeKey: 'a'.repeat(64),
  size: 11,
  parsed: {
    subject: 'Grüße',
    from: [{ address: 'ben@cgisupport.com', name: 'Ben' }],
    to: [],
    cc: [],
    date: null,
    messageId: '<1@x>',
    inReplyTo: null,
    references: [],
    snippet: 'hi',
    text: 'hi',
    hasHtml: false,
    attachments: [],
  },
};

describe('mail copy envelope', () => {
  it('round-trips metadata and raw bytes', () => {
    const raw = Buffer.from('hello\r\n\x00\xff', 'latin1');
    const decoded = decodeMailCopy(encodeMailCopy(copy, raw));
    expect(decoded.copy).toEqual({ ...copy, folder: 'inbox', seen: false });
    expect(Buffer.compare(decoded.raw, raw)).toBe(0);
  });

  it('carries no bytes when the body is in the blob store', () => {
    const decoded = decodeMailCopy(encodeMailCopy({ ...copy, blobKey: 'sha256-x' }, undefined));
    expect(decoded.copy.blobKey).toBe('sha256-x');
    expect(decoded.raw).toHaveLength(0);
  });

  it('throws EnvelopeError on anything malformed', () => {
    const good = encodeMailCopy(copy, Buffer.from('x'));
    expect(() => decodeMailCopy(new Uint8Array([0, 0]))).toThrow(EnvelopeError);
    expect(() => decodeMailCopy(Buffer.concat([Buffer.from([0, 0, 0xff, 0xff]), good.subarray(4)]))).toThrow(EnvelopeError);
    expect(() => decodeMailCopy(Buffer.concat([Buffer.from([0, 0, 0, 2]), Buffer.from('{]')]))).toThrow(/unreadable/);
    const bad = Buffer.from(JSON.stringify({ ...copy, dedupeKey: 'nothex' }));
    const frame = Buffer.alloc(4);
    frame.writeUInt32BE(bad.length);
    expect(() => decodeMailCopy(Buffer.concat([frame, bad]))).toThrow(/dedupeKey/);
  });
});
