import { writeFileSync } from 'node:fs';
import { CHART_CRD_FILE, crdYaml, CRD_FILE } from '../src/api/v1alpha1/crd-file.ts';

/** Regenerates crds/ and the chart's copy from the API schemas. CI fails when a committed file differs (crd.test.ts, the chart tests). */
for (const file of [CRD_FILE, CHART_CRD_FILE]) {
  writeFileSync(file, crdYaml());
  process.stdout.write(`wrote ${file}\n`);
}
