import { describe, expect, it } from 'vitest';
import { ALL_PREFIXES } from './shard.ts';
import { homeDb, parseShardMap, rendezvousShardMap, shardMapSummary } from './shard-map.ts';

describe('rendezvous shard map', () => {
  it('assigns every prefix to db 0 when there is one db', () => {
    const map = rendezvousShardMap(1);
    expect(shardMapSummary(map)).toEqual([1369]);
  });

  it('spreads prefixes roughly evenly', () => {
    for (const dbs of [2, 3, 5, 10]) {
      const counts = shardMapSummary(rendezvousShardMap(dbs));
      const fair = 1369 / dbs;
      for (const count of counts) expect(Math.abs(count - fair) / fair).toBeLessThan(0.2);
    }
  });

  it('moves a prefix only onto a newly added db, never between dbs that already existed', () => {
    for (let dbs = 1; dbs < 12; dbs++) {
      const before = rendezvousShardMap(dbs).assignments;
      const after = rendezvousShardMap(dbs + 1).assignments;
      let moved = 0;
      for (const prefix of ALL_PREFIXES) {
        if (before[prefix] !== after[prefix]) {
          expect(after[prefix]).toBe(dbs);
          moved++;
        }
      }
      // About 1/(dbs+1) of the prefixes move, as consistent hashing promises.
      expect(moved / 1369).toBeGreaterThan(0.5 / (dbs + 1));
      expect(moved / 1369).toBeLessThan(1.5 / (dbs + 1));
    }
  });

  it('finds the home db of an address through its prefix', () => {
    const map = rendezvousShardMap(3);
    expect(homeDb(map, 'john@example.com')).toBe(map.assignments.jo);
  });

  it('round-trips through JSON and refuses incomplete or inconsistent maps', () => {
    const map = rendezvousShardMap(2, 7);
    expect(parseShardMap(JSON.stringify(map))).toEqual(map);
    const { aa: _dropped, ...partial } = map.assignments;
    expect(() => parseShardMap(JSON.stringify({ ...map, assignments: partial }))).toThrow(/unassigned/);
    expect(() => parseShardMap(JSON.stringify({ ...map, dbCount: 1 }))).toThrow(/dbCount is 1/);
    expect(() => parseShardMap(JSON.stringify({ ...map, assignments: { ...map.assignments, 'x;': 0 } }))).toThrow(/not a prefix/);
  });
});
