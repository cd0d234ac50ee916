import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CHART_CRD_FILE, CRD_FILE, crdYaml } from '../../../operator/src/api/v1alpha1/crd-file.ts';
import { DEFAULT_IMAGES, OPERATOR_VERSION } from '../../../operator/src/images.ts';

/**
 * What the chart repeats from elsewhere in the repo, checked so that it cannot drift: the CRD, the
 * default images and versions, the Node version of the images. Rendering and installing the chart
 * is tested in test/k8s/chart-*.test.ts.
 */

const chartFile = (name: string) => fileURLToPath(new URL(`../${name}`, import.meta.url));
const repoFile = (name: string) => fileURLToPath(new URL(`../../../${name}`, import.meta.url));
const readYaml = (file: string): unknown => parse(readFileSync(file, 'utf8'));

interface Values {
  config: { images: Record<string, string> };
  container: { image: { repository: string; tag: string } };
}
const values = readYaml(chartFile('values.yaml')) as Values;

/** Values whose content is the user's (maps passed through as they are): each is one option. */
const freeForm = (path: string) => /(^|\.)(merge|patch)$/.test(path) || ['container.env', 'container.resources', 'mailCluster.spec'].includes(path);

/** Every path to an option of a values tree: a scalar, a list, or a free-form map. */
function leafPaths(tree: unknown, prefix = ''): string[] {
  if (tree === null || typeof tree !== 'object' || Array.isArray(tree) || freeForm(prefix)) return [prefix];
  return Object.entries(tree).flatMap(([key, value]) => leafPaths(value, prefix === '' ? key : `${prefix}.${key}`));
}

function at(tree: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), tree);
}

describe('the chart agrees with the rest of the repo', () => {
  it('crds/ holds the generated CRD, byte for byte (run `npm run gen:crd`, which writes both copies)', () => {
    const chartCopy = readFileSync(CHART_CRD_FILE, 'utf8');
    expect(chartCopy).toBe(readFileSync(CRD_FILE, 'utf8'));
    expect(chartCopy).toBe(crdYaml());
  });

  it("sets the operator's default tier images, and only those", () => {
    expect(values.config.images).toEqual(DEFAULT_IMAGES);
  });

  it("runs the operator image of the operator's version (appVersion, the default tag)", () => {
    const chart = readYaml(chartFile('Chart.yaml')) as { appVersion: string; version: string };
    expect(chart.appVersion).toBe(OPERATOR_VERSION);
    expect(values.container.image.tag).toBe('');
    // The service images the operator runs by default are tagged with the same version.
    for (const tier of ['web', 'smtpIngest', 'writer', 'delivery'] as const) expect(DEFAULT_IMAGES[tier]).toMatch(new RegExp(`:${OPERATOR_VERSION.replaceAll('.', '\\.')}$`));
    expect(values.container.image.repository.replace(/\/operator$/, '')).toBe(DEFAULT_IMAGES.web.replace(/\/web:.*$/, ''));
  });

  it('builds its images on the Node version the repo runs on (the node devDependency)', () => {
    const lock = JSON.parse(readFileSync(repoFile('package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
    const repoNode = lock.packages['node_modules/node']?.version;
    const dockerNode = /^ARG NODE_VERSION=(\S+)$/m.exec(readFileSync(repoFile('Dockerfile'), 'utf8'))?.[1];
    expect(repoNode).toMatch(/^24\./);
    expect(dockerNode).toBe(repoNode);
  });
});

describe('ci/all-options-values.yaml', () => {
  const all = readYaml(chartFile('ci/all-options-values.yaml'));

  it('sets every value of values.yaml, each to something other than its default', () => {
    const unset = leafPaths(values).filter((path) => at(all, path) === undefined);
    expect(unset).toEqual([]);
    const same = leafPaths(values).filter((path) => JSON.stringify(at(all, path)) === JSON.stringify(at(values, path)));
    // Switches that are on by default stay on: this file renders every object (ci/minimal-values.yaml turns them off).
    expect(same).toEqual(['config.leaderElection.enabled', 'serviceAccount.enabled', 'rbac.enabled', 'metricsService.enabled', 'podDisruptionBudget.enabled']);
  });

  it('sets nothing values.yaml does not have', () => {
    const unknown = leafPaths(all).filter((path) => !leafPaths(values).includes(path));
    expect(unknown).toEqual([]);
  });
});
