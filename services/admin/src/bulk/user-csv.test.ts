import { describe, expect, it } from 'vitest';
import { POSITIONAL_COLUMNS, csvFields, csvLine, headerColumns, userRecord } from './user-csv.ts';

describe('the user CSV', () => {
  it('reads RFC 4180 quoting on one line, and refuses a quote left open', () => {
    expect(csvFields('a,"b, c","d ""e""",')).toEqual(['a', 'b, c', 'd "e"', '']);
    expect(csvFields('Bob "B",x')).toEqual(['Bob "B"', 'x']);
    expect(() => csvFields('"open,x')).toThrow(/not closed/);
    expect(() => csvFields('"a"b,c')).toThrow(/after the closing quote/);
  });

  it('writes what it reads back', () => {
    const fields = ['jo@x.test', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA', '0', ' Jo "the" Smith, Jr.'];
    expect(csvFields(csvLine(fields).replace(/\r\n$/, ''))).toEqual(fields);
  });

  it('takes columns from a header in any order, or by position without one', () => {
    const header = headerColumns(['address', 'name', 'password']);
    expect(header).not.toBeNull();
    expect(userRecord(['a@x.test', 'Ann', 'pw'], header!)).toEqual({ address: 'a@x.test', password: 'pw', quota: '', name: 'Ann' });
    expect(headerColumns(['a@x.test', 'pw'])).toBeNull();
    expect(userRecord(['a@x.test', 'pw', '1G'], POSITIONAL_COLUMNS)).toEqual({ address: 'a@x.test', password: 'pw', quota: '1G', name: '' });
    expect(() => headerColumns(['address', 'pasword'])).toThrow(/unknown column/);
    expect(() => userRecord(['a', 'b', 'c', 'd', 'e'], POSITIONAL_COLUMNS)).toThrow(/5 fields/);
  });
});
