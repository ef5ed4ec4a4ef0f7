import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["{core,adapters,apps,infra,bench}/**/*.test.ts", ".ci/**/*.test.ts"],
    globalSetup: ["adapters/local-engines/test-engines.global.ts"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    reporters: ["default"],
    // The AWS SDK warns on every import that it will drop Node 20 next year; CI runs Node 20 until then.
    execArgv: ["--disable-warning=NodeVersionSupportWarning"],
  },
});
