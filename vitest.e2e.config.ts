// Browser tests (`npm run test:e2e`): playwright-core driving Debian's chromium against the compiled
// service on loopback (test/e2e/global-setup.ts starts both). One file at a time (2 cores, one
// browser), generous timeouts (a first build, a cold browser), no retries (a flaky test is a bug).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/e2e/**/*.e2e.ts"],
    globalSetup: ["test/e2e/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    retry: 0,
    pool: "forks",
  },
});
