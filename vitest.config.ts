import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    // Timeouts only catch a hang: a test that opens its own PGlite has needed over 30 s on a
    // shared 2-core machine at load 18.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // PGlite instances are heavy and the machine has 2 cores.
    maxWorkers: 2,
    // Files and tests run in a random order (the seed is printed), so no test can lean on another.
    sequence: { shuffle: true },
  },
});
