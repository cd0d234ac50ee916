import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The two message mixes of issue 9, as files for smtp-source `-F` (LF line ends; smtp-source sends
 * CRLF). M1: a 5 KB text/plain message. M2: a ~50 KB MIME message as mail clients send it —
 * multipart/mixed of a multipart/alternative (text 5 KB, HTML ~8 KB) and a ~36 KB base64 attachment,
 * the shape of the Postfix anchor figures in the notes.
 */
export interface MessageFiles {
  plain5k: string;
  mime50k: string;
}

const PROSE = 'The quarterly figures are attached; the summary below covers what changed since the last report and what we plan next. ';

function lines(text: string, width = 76): string[] {
  return text.match(new RegExp(`.{1,${width}}(\\s|$)`, 'g'))?.map((l) => l.trimEnd()) ?? [];
}

function headers(subject: string, extra: string[]): string[] {
  return [
    'From: Alice Sender <alice@sender.example>',
    'To: Bench Recipient <recipient@bench.test>',
    `Subject: ${subject}`,
    'Date: Sat, 28 Nov 2026 12:00:00 +0000',
    'Message-ID: <bench-message@sender.example>',
    'MIME-Version: 1.0',
    ...extra,
  ];
}

export function plainMessage(bodyBytes = 4_800): string {
  const body = lines(PROSE.repeat(Math.ceil(bodyBytes / PROSE.length))).join('\n').slice(0, bodyBytes);
  return [...headers('Quarterly report (plain)', ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 7bit']), '', body, ''].join('\n');
}

export function mimeMessage(): string {
  const text = lines(PROSE.repeat(40)).join('\n');
  const html = `<html><body>${Array.from({ length: 60 }, (_, i) => `<p>Item ${i}: ${PROSE}<a href="https://example.com/r/${i}">details</a></p>`).join('\n')}</body></html>`;
  const attachment = randomBytes(27_000).toString('base64').match(/.{1,76}/g)?.join('\n') ?? '';
  return [...headers('Quarterly report', [REPORT_CONTENT_TYPE]), '', ...reportParts(text, lines(html, 200), attachment)].join('\n');
}

/** The Content-Type header of a report message (reportParts is its body). */
export const REPORT_CONTENT_TYPE = 'Content-Type: multipart/mixed; boundary="mixed-b1"';

/** A report's body as mail clients send it: text and HTML alternatives, and a PDF (`attachment`: base64 lines). */
export function reportParts(text: string, htmlLines: readonly string[], attachment: string): string[] {
  return [
    '--mixed-b1',
    'Content-Type: multipart/alternative; boundary="alt-b2"',
    '',
    '--alt-b2',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 7bit',
    '',
    text,
    '--alt-b2',
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: 7bit',
    '',
    ...htmlLines,
    '--alt-b2--',
    '',
    '--mixed-b1',
    'Content-Type: application/pdf; name="report.pdf"',
    'Content-Disposition: attachment; filename="report.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    attachment,
    '--mixed-b1--',
    '',
  ];
}

export function writeMessageFiles(dir: string): MessageFiles {
  mkdirSync(dir, { recursive: true });
  const files = { plain5k: join(dir, 'plain-5k.eml'), mime50k: join(dir, 'mime-50k.eml') };
  writeFileSync(files.plain5k, plainMessage());
  writeFileSync(files.mime50k, mimeMessage());
  return files;
}
