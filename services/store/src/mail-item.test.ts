import { describe, expect, it } from 'vitest';
import { parseCursor } from './mail-item.ts';
import { searchTerms } from './search.ts';

describe('mailbox cursors', () => {
  it('read back what the list query writes', () => {
    expect(parseCursor('20261128090000123456-42')).toEqual({ receivedAt: '2026-11-28 09:00:00.123456', id: 42 });
  });

  it.each(['', 'garbage', '20261128090000123456-0', '20261328090000000000-1', '20261128250000000000-1', '2026112809000012345-1', `20261128090000123456-${'9'.repeat(17)}`])('refuse %j', (cursor) => {
    expect(parseCursor(cursor)).toBeNull();
  });
});

describe('search terms', () => {
  it('keep words of three or more letters as required prefixes, without boolean operators', () => {
    expect(searchTerms('Lunch on +Friday* "pizza" -x (a) ~tilde <b> @at')).toEqual(['lunch', 'friday', 'pizza', 'tilde']);
    expect(searchTerms('Grüße 日本語')).toEqual(['grüße', '日本語']);
  });
});
