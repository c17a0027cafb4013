import { defineConfig } from "vitest/config";

// Opt-in end-to-end suite (`pnpm test:e2e`): real llama.cpp builds, minutes long, not part of `pnpm test`.
export default defineConfig({
  test: {
    include: ["e2e/**/*.e2e.test.ts"],
    testTimeout: 90 * 60_000,
    hookTimeout: 10 * 60_000,
    fileParallelism: false,
    reporters: ["verbose"],
  },
});
