import type { FunctionSpec } from "../manifest.ts";

/** The matching capability's functions, as apps/manifest.ts lists them. */
export const matchingFunctions: readonly FunctionSpec[] = [
  {
    name: "matching",
    description:
      "The matching pool: intentions, matches, accept/decline, feedback, ranked candidates (API.md, matching)",
    entry: "apps/matching/handler.ts",
    triggers: [{ kind: "url", auth: "NONE" }],
    // Bearer sessions are validated against the sessions table, and validation slides the idle expiry (UpdateItem),
    // hence read and write; sessionPolicy so the sliding matches the sessions function's.
    needs: ["postgres:matching", "sessionsTable:validate"],
    settings: ["matchingPolicy", "sessionPolicy", "corsOrigins"],
  },
  {
    name: "matcher",
    description:
      "One matching batch (tiers, expiry, pairing) every 3 hours, or on an operator's POST /run or direct invoke",
    entry: "apps/matching/matcher-handler.ts",
    triggers: [
      { kind: "schedule", expression: "rate(3 hours)" },
      { kind: "url", auth: "AWS_IAM" },
    ],
    needs: ["postgres:matching"],
    settings: ["matchingPolicy"],
    // A 100k pool takes ~20 s of batch CPU (BENCHMARKS.md) plus bulk load and store; Lambda's CPU share grows with
    // memory, and the pool needs ~700 MB at its peak: 1.5 GB and 5 minutes leave room for a pool that keeps growing.
    timeoutSeconds: 300,
    minimumMemoryMb: 1536,
    // Batches never overlap: a second invocation is throttled, and the advisory lock catches any that slips by.
    reservedConcurrency: 1,
  },
];
