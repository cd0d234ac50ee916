import { writeFileSync } from 'node:fs';
import { crdYaml, CRD_FILE } from '../src/api/v1alpha1/crd-file.ts';

/** Regenerates crds/ from the API schemas. CI fails when the committed file differs (crd.test.ts). */
writeFileSync(CRD_FILE, crdYaml());
process.stdout.write(`wrote ${CRD_FILE}\n`);
