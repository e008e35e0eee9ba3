import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", "data/**"],
    // Browser tests (editor) live under test/browser and run in their own project later.
    pool: "threads",
  },
});
