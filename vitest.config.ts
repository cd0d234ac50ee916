import { defineConfig } from 'vitest/config';

/**
 * Three projects, by what a test needs around it:
 * - unit: pure logic beside the source (`*.test.ts` under src/), and docs checked against the code; no servers;
 * - e2e:  the local stack (`hack/stack.sh`: MariaDB ×2, NATS JetStream ×3, the services);
 * - k8s:  the test control plane (`hack/testenv.sh`: etcd, kube-apiserver, controllers, kwok);
 * - browser: the webmail of the local stack driven through Debian's chromium (playwright-core).
 * Run one with `npx vitest run --project <name>`; `npm test` runs them all.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['services/*/src/**/*.test.ts', 'operator/src/**/*.test.ts', 'hack/**/*.test.ts', 'charts/*/tests/**/*.test.ts', 'bench/lib/**/*.test.ts', 'docs/*.test.ts'],
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/stack-setup.ts'],
          // The stack is shared and fault tests restart parts of it: one file at a time.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/support/browser-setup.ts', 'test/support/stack-setup.ts'],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          name: 'k8s',
          include: ['test/k8s/**/*.test.ts'],
          globalSetup: ['test/support/k8s-setup.ts'],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
