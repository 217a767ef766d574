import { defineConfig } from 'vitest/config';

// Two projects: `unit` never touches the lab; `e2e` shares one lab booted once per run
// (see test/e2e/global-setup.ts) and runs files one at a time, since they share hosts.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // Sandbox tests run real bash scripts many times over: on a busy 2-core machine (CI
          // building a lab beside them) one took 9.5 s. A timeout is no speed check (that is
          // `npm run bench`): it only has to catch a hang.
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/e2e/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 600_000,
        },
      },
      {
        // Outside CI (DESIGN.md, the slow tier): what cannot fit in CI's time, each with a fast
        // sibling in e2e on the same code path. `npm run test:slow`.
        test: {
          name: 'slow',
          include: ['test/slow/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/e2e/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 1_800_000,
          hookTimeout: 900_000,
        },
      },
    ],
  },
});
