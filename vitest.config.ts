import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    // Browser tests (test/e2e/*.e2e.ts) run with `npm run test:e2e` (vitest.e2e.config.ts).
    exclude: ["node_modules/**", "data/**", "test/e2e/**"],
    pool: "threads",
  },
});
