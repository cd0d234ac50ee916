import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ADMIN_ERRORS, AdminError } from './errors.ts';

describe('admin errors', () => {
  it('are all documented in docs/errors.md, and the docs name no other admin code', () => {
    const docs = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
    expect([...new Set(docs.match(/ADMIN_ERR_[A-Z_]+/g))].sort()).toEqual(Object.keys(ADMIN_ERRORS).sort());
  });

  it('carry their HTTP status', () => {
    const error = new AdminError('ADMIN_ERR_DUPLICATE_USER', 'a@b.c');
    expect(error.httpStatus).toBe(409);
    expect(error.message).toBe('a@b.c: user already exists');
  });
});
