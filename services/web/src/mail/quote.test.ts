import { describe, expect, it } from 'vitest';
import type { ReadableMessage } from './message-reader.ts';
import { forwardSubject, quoteReply, replyRecipients, replySubject } from './quote.ts';

const message: ReadableMessage = {
  from: [{ name: 'Bob', address: 'bob@x.test' }],
  to: [{ name: 'Ann', address: 'ann@x.test' }, { name: '', address: 'carol@x.test' }],
  cc: [{ name: '', address: 'dave@x.test' }, { name: '', address: 'BOB@x.test' }],
  bcc: [],
  replyTo: [],
  date: new Date('2026-11-28T10:00:00Z'),
  subject: 'Plans',
  text: 'line one\r\n> earlier\r\n',
  html: null,
  attachments: [],
};

describe('replies and forwards', () => {
  it('prefixes subjects once', () => {
    expect(replySubject('Plans')).toBe('Re: Plans');
    expect(replySubject('RE: Plans')).toBe('RE: Plans');
    expect(forwardSubject('Fwd: Plans')).toBe('Fwd: Plans');
    expect(forwardSubject('Plans')).toBe('Fwd: Plans');
  });

  it('quotes the text under an attribution line', () => {
    expect(quoteReply(message)).toBe('\n\nOn Sat, 28 Nov 2026 10:00:00 GMT, Bob <bob@x.test> wrote:\n> line one\n>> earlier\n');
  });

  it('replies to the sender, or to everyone but the user and without duplicates', () => {
    expect(replyRecipients(message, 'ann@x.test', false)).toEqual({ to: message.from, cc: [] });
    expect(replyRecipients(message, 'ann@x.test', true).cc.map((m) => m.address)).toEqual(['carol@x.test', 'dave@x.test']);
    expect(replyRecipients({ ...message, replyTo: [{ name: '', address: 'list@x.test' }] }, 'ann@x.test', false).to).toEqual([{ name: '', address: 'list@x.test' }]);
  });
});
