import { describe, expect, it } from "vitest";
import { functions } from "../apps/manifest.ts";
import { fakeBundler, stackConfig, underMocks } from "./testing.ts";

describe("the Pulumi program (infra/index.ts)", () => {
  it("reads the stack's config from Pulumi and deploys the manifest", async () => {
    const { program, default: main } = await import("./index.ts");
    expect(typeof main).toBe("function");
    const run = await underMocks("production", stackConfig("production"), () => ({ ...program(fakeBundler) }));
    expect(run.outputs.stage).toBe("production");
    expect(Object.keys(run.outputs.functionNames).sort()).toEqual(functions.map((fn) => fn.name).sort());
    const table = run.ofType("aws:dynamodb/table:Table")[0]?.inputs;
    expect(table?.billingMode).toBe("PROVISIONED");
  });

  it("fails on a bad config value, naming the key", async () => {
    const { program } = await import("./index.ts");
    const config = { ...stackConfig("staging"), "rendezvous:logRetentionDays": "8" };
    await expect(underMocks("staging", config, () => ({ ...program(fakeBundler) }))).rejects.toThrow(
      /rendezvous:logRetentionDays: expected one of CloudWatch's periods/,
    );
  });
});
