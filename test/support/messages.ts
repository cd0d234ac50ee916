import { randomBytes } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';

/** The shapes of real-world mail the pipeline must carry unchanged. */
export const MESSAGE_KINDS = ['plain', 'alternative', 'attachments', 'encoded-headers', 'eight-bit'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number] | 'huge';

export interface TestMessage {
  from: string;
  to: string[];
  messageId: string;
  raw: Buffer;
}

const PDF_LIKE = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(30_000)]);

/** A hand-written 8BITMIME message: UTF-8 in the headers (SMTPUTF8 style) and an 8bit body. */
function eightBit(from: string, to: string, messageId: string): Buffer {
  return Buffer.from(
    [
      `From: Jürgen Müller <${from}>`,
      `To: ${to}`,
      'Subject: Grüße aus Köln — 8bit',
      `Message-ID: ${messageId}`,
      'Date: Sat, 28 Nov 2026 10:00:00 +0100',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      'Schöne Grüße, ça va? 日本語のテキスト 🎉',
      '.a line starting with a dot',
      '',
    ].join('\r\n'),
  );
}

export async function buildMessage(kind: MessageKind, from: string, to: string, id: string): Promise<TestMessage> {
  const messageId = `<${id}@e2e.test>`;
  if (kind === 'eight-bit') return { from, to: [to], messageId, raw: eightBit(from, to, messageId) };
  const base = { from, to, messageId, date: new Date('2026-11-28T09:00:00Z'), subject: `Test ${kind} ${id}` };
  const options = {
    plain: { ...base, text: `Hello ${to},\r\nthis is message ${id}.\r\n.single dot line\r\n` },
    alternative: { ...base, text: `Plain part of ${id}`, html: `<p>HTML part of <b>${id}</b></p><img src="https://tracker.example/x.png">` },
    attachments: {
      ...base,
      text: `See attached, ${id}`,
      attachments: [
        { filename: 'report.pdf', content: PDF_LIKE, contentType: 'application/pdf' },
        { filename: 'notes.txt', content: 'some notes\r\n' },
      ],
    },
    'encoded-headers': {
      ...base,
      from: { name: '李雷 & Zoë “Quotes”', address: from },
      subject: `Grüße ${id} — 日本語 🎉`,
      text: 'Ünïcödé body with quoted-printable',
    },
    huge: {
      ...base,
      text: `A large message, ${id}`,
      attachments: [
        { filename: 'video.bin', content: randomBytes(10 * 1024 * 1024) },
        { filename: 'archive.zip', content: randomBytes(5 * 1024 * 1024) },
      ],
    },
  }[kind];
  const raw = await new MailComposer(options).compile().build();
  return { from, to: [to], messageId, raw };
}
