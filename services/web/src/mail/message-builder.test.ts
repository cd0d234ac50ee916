import MailComposer from 'nodemailer/lib/mail-composer';
import { describe, expect, it } from 'vitest';
import { WebError } from '../errors.ts';
import { parseRecipients } from './addresses.ts';
import { mailOptions } from './message-builder.ts';

async function headerNames(options: ReturnType<typeof mailOptions>): Promise<string[]> {
  const raw = (await new MailComposer(options).compile().build()).toString('latin1');
  const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
  return head.split('\r\n').filter((line) => /^[^\s:]+:/.test(line)).map((line) => line.slice(0, line.indexOf(':')).toLowerCase());
}

const base = {
  from: { name: 'Ann', address: 'ann@example.com' },
  to: [{ name: '', address: 'bob@example.com' }],
  cc: [],
  bcc: [],
  subject: 'hello',
  text: 'body',
  inReplyTo: null,
  references: [],
  attachments: [],
  messageId: '<1@example.com>',
  date: new Date('2026-01-01T00:00:00Z'),
};

describe('outgoing messages (header injection, checklist B10)', () => {
  it.each([
    ['subject', { subject: 'hi\r\nBcc: evil@x.test\r\nX-Injected: 1' }],
    ['bare LF in the subject', { subject: 'hi\nX-Injected: 1' }],
    ['NUL in the subject', { subject: 'hi\u0000\r\nX-Injected: 1' }],
    ['display name', { from: { name: 'Ann\r\nX-Injected: 1', address: 'ann@example.com' } }],
    ['recipient name', { to: [{ name: 'Bob\r\nX-Injected: 1', address: 'bob@example.com' }] }],
    ['attachment name', { attachments: [{ filename: 'a.txt"\r\nX-Injected: 1', contentType: 'text/plain', content: Buffer.from('x') }] }],
    ['thread ids', { inReplyTo: '<a@b>\r\nX-Injected: 1', references: ['<c@d>\r\nX-Injected: 1'] }],
  ])('CR/LF/NUL in the %s cannot add a header', async (_what, change) => {
    const names = await headerNames(mailOptions({ ...base, ...change }));
    expect(names).not.toContain('x-injected');
    expect(names).not.toContain('bcc');
    expect(names.filter((n) => n === 'subject')).toHaveLength(1);
  });

  it('builds the envelope from checked addresses only, with file and URL access off', () => {
    const options = mailOptions({ ...base, bcc: [{ name: '', address: 'carol@example.com' }] });
    expect(options.envelope).toEqual({ from: 'ann@example.com', to: ['bob@example.com', 'carol@example.com'] });
    expect(options).toMatchObject({ disableFileAccess: true, disableUrlAccess: true });
    expect(JSON.stringify(options)).not.toContain('prepared');
  });
});

describe('parseRecipients', () => {
  it('reads what people type', () => {
    expect(parseRecipients('Ann <Ann@Example.com>, bob@example.com')).toEqual([
      { name: 'Ann', address: 'ann@example.com' },
      { name: '', address: 'bob@example.com' },
    ]);
    expect(parseRecipients('  ')).toEqual([]);
  });

  it.each(['a@b.test\r\nRCPT TO:<x@y.test>', 'not an address', 'a@b', '<a@b.test\u0000>', 'x@-bad.test', '"a b"@c.test'])('refuses %j', (field) => {
    expect(() => parseRecipients(field)).toThrow(WebError);
  });
});
