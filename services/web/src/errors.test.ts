import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WEB_ERRORS, WebError } from './errors.ts';

describe('web errors', () => {
  it('are all documented in docs/errors.md, and the docs name no other web code', () => {
    const docs = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
    expect([...new Set(docs.match(/WEB_ERR_[A-Z_]+/g))].sort()).toEqual(Object.keys(WEB_ERRORS).sort());
  });

  it('document the HTTP status the code answers with', () => {
    const docs = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
    for (const [code, { http }] of Object.entries(WEB_ERRORS)) expect(docs).toContain(`| \`${code}\` | ${http} |`);
  });

  it('carry their HTTP status and detail', () => {
    const error = new WebError('WEB_ERR_SEND_REFUSED', '554 5.7.1 no remote delivery');
    expect(error.httpStatus).toBe(422);
    expect(error.message).toBe('The mail server refused the message. 554 5.7.1 no remote delivery');
  });
});
