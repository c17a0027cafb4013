import { defineConfig } from "vitest/config";

// globalSetup: a missing tool stops the suite with one line naming it and `bash scripts/setup.sh`.
export default defineConfig({
  test: { include: ["test/**/*.test.ts"], globalSetup: ["../../scripts/test-tools.ts"], testTimeout: 60_000, hookTimeout: 120_000 },
});
