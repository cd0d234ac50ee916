import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SMTP_ERRORS, smtpError } from './errors.ts';

describe('SMTP errors', () => {
  it('are all documented in docs/errors.md, and the docs name no other SMTP code', () => {
    const docs = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
    const documented = new Set(docs.match(/SMTP_ERR_[A-Z_]+/g));
    expect([...documented].sort()).toEqual(Object.keys(SMTP_ERRORS).sort());
  });

  it('carry a status whose class matches the enhanced code', () => {
    for (const [code, { status, enhanced }] of Object.entries(SMTP_ERRORS)) {
      expect(String(status)[0], code).toBe(enhanced[0]);
    }
  });

  it('render as smtp-server replies with the enhanced code first', () => {
    const error = smtpError('SMTP_ERR_UNKNOWN_USER', '<x@example.com>');
    expect(error.responseCode).toBe(550);
    expect(error.message).toBe('5.1.1 <x@example.com>: Recipient address rejected: user unknown');
  });
});
