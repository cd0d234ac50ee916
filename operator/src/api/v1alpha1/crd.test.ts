import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CRD_FILE, crdYaml } from './crd-file.ts';
import { mailClusterSpecSchema } from './mailcluster.ts';

describe('the MailCluster CRD', () => {
  it('in crds/ is what the API schemas generate (run `npm run gen:crd` after changing them)', () => {
    expect(readFileSync(CRD_FILE, 'utf8')).toBe(crdYaml());
  });

  it('has no construct a structural schema forbids', () => {
    const text = crdYaml();
    expect(text).not.toMatch(/additionalProperties: false/);
    expect(text).not.toMatch(/\$ref|anyOf|oneOf|\(\?[!<=]/);
  });

  it('applies the seed ratio as defaults', () => {
    const spec = mailClusterSpecSchema.parse({ users: 5 });
    expect(spec.ratios).toEqual({ usersPerWeb: 250_000, smtpPerMillionMin: 2, smtpPerMillionMax: 4, smtpMin: 2, usersPerDb: 1_000_000, writersPerDb: 1 });
    expect(spec.smtp.serviceType).toBe('LoadBalancer');
    expect(spec.paused).toBe(false);
  });

  it('refuses what the API server refuses', () => {
    for (const bad of [{ users: 0 }, { users: -5 }, { users: 10, domains: ['not_a_domain'] }, { users: 10, extra: 1 }, { users: 10, ratios: { usersPerWeb: 0 } }]) {
      expect(mailClusterSpecSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
