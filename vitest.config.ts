import { defineConfig } from 'vitest/config';

/**
 * Four tiers, one runner: `unit` (pure code, mocked SDK clients), `integration`
 * (dynalite and aws-ses-v2-local started once on random ports by the global
 * setup), `e2e` (pages in headless Chromium) and `infra` (CDK synthesis,
 * assertions and cdk-nag).
 */
export default defineConfig({
  test: {
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          // One file at a time: the files share the emulators, and the 10,000-row import must not
          // compete with another file for the machine's two cores.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        // Headless Chromium (Debian's, driven by playwright-core): pages as a person sees them.
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 },
      },
      {
        extends: true,
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
