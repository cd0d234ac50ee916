import { describe, expect, it } from 'vitest';
import { mailClusterSpecSchema } from '../api/v1alpha1/mailcluster.ts';
import { parseQuantity, toGi } from './quantity.ts';
import { DEFAULT_RESOURCES, sizeCluster } from './sizing.ts';

const spec = (users: number, extra: Record<string, unknown> = {}) => mailClusterSpecSchema.parse({ users, ...extra });

describe('sizeCluster: the seed ratio (DESIGN §2)', () => {
  // users → web, smtp [min, max], db, writers
  it.each([
    [100_000, 1, [2, 2], 1, 1],
    [250_000, 1, [2, 2], 1, 1],
    [1_000_000, 4, [2, 4], 1, 1],
    [1_100_000, 5, [3, 5], 2, 2],
    [2_500_000, 10, [5, 10], 3, 3],
    [10_000_000, 40, [20, 40], 10, 10],
  ])('%i users → %i web, smtp %j, %i db, %i writers', (users, web, [min, max], db, writers) => {
    const size = sizeCluster(spec(users));
    expect(size.web.replicas).toBe(web);
    expect([size.smtp.min, size.smtp.max]).toEqual([min, max]);
    expect(size.db.replicas).toBe(db);
    expect(size.writer.replicas).toBe(writers);
    expect(size.nats.replicas).toBe(3);
  });

  it('follows custom ratios', () => {
    const size = sizeCluster(spec(1_000_000, { ratios: { usersPerWeb: 100_000, smtpPerMillionMin: 3, smtpPerMillionMax: 6, smtpMin: 1, usersPerDb: 500_000, writersPerDb: 2 } }));
    expect(size.web.replicas).toBe(10);
    expect([size.smtp.min, size.smtp.max]).toEqual([3, 6]);
    expect(size.db.replicas).toBe(2);
    expect(size.writer.replicas).toBe(4);
  });

  it('sizes db volumes as max(minVolume, users on the db × storagePerUser)', () => {
    expect(sizeCluster(spec(1_000)).db.volume).toBe('100Gi');
    // The seed: 100–150 GB for a million users' mail.
    expect(sizeCluster(spec(1_000_000)).db.volume).toBe('123Gi');
    // 2.5M users on 3 dbs → 833,334 users × 128Ki each.
    expect(sizeCluster(spec(2_500_000)).db.volume).toBe(toGi(833_334 * 128 * 2 ** 10));
    expect(sizeCluster(spec(1_000_000, { db: { storagePerUser: '1Mi', minVolume: '10Gi' } })).db.volume).toBe('977Gi');
  });

  it('uses the default per-pod resources and merges overrides over them', () => {
    const size = sizeCluster(spec(1_000_000, { web: { resources: { limits: { memory: '2Gi' } } } }));
    expect(size.web.resources).toEqual({ requests: { cpu: '1', memory: '512Mi' }, limits: { memory: '2Gi' } });
    expect(size.smtp.resources).toEqual(DEFAULT_RESOURCES.smtp);
    expect(size.db.resources.requests.memory).toBe('1Gi');
  });

  it('runs no NATS pods with an external NATS', () => {
    expect(sizeCluster(spec(1_000, { nats: { externalUrl: 'nats://nats.example:4222' } })).nats.replicas).toBe(0);
  });
});

describe('quantities', () => {
  it.each([['100Gi', 100 * 2 ** 30], ['512Mi', 512 * 2 ** 20], ['1G', 1e9], ['500m', 0.5], ['2', 2], [3, 3], ['1.5Ki', 1536]])('%s = %d', (q, n) => {
    expect(parseQuantity(q)).toBe(n);
  });
  it('refuses nonsense', () => {
    expect(() => parseQuantity('12 apples')).toThrow(RangeError);
  });
});
