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
    // The AWS SDK warns on every import that it will drop Node 20 next year; CI runs Node 20 until then. The SDK's
    // own switch (its warning is a plain "Warning", so node's --disable-warning does not catch it).
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
