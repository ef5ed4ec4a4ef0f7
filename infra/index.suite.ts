import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { functions } from "../apps/manifest.ts";
import { fakeBundler, stackConfig, underMocks } from "./testing.ts";

describe("the Pulumi program (infra/index.ts)", () => {
  it("reads the stack's config from Pulumi and deploys the manifest", async () => {
    const { default: main } = await import("./index.ts");
    const { program } = await import("./program.ts");
    expect(typeof main).toBe("function");
    // Pulumi refuses an ESM entry point that has named exports beside the default one.
    expect(Object.keys(await import("./index.ts"))).toEqual(["default"]);
    const run = await underMocks("production", stackConfig("production"), () => ({ ...program(fakeBundler) }));
    expect(run.outputs.stage).toBe("production");
    expect(Object.keys(run.outputs.functionNames).sort()).toEqual(functions.map((fn) => fn.name).sort());
    const table = run.ofType("aws:dynamodb/table:Table")[0]?.inputs;
    expect(table?.billingMode).toBe("PROVISIONED");
  });

  it("fails on a bad config value, naming the key", async () => {
    const { program } = await import("./program.ts");
    const config = { ...stackConfig("staging"), "rendezvous:logRetentionDays": "8" };
    await expect(underMocks("staging", config, () => ({ ...program(fakeBundler) }))).rejects.toThrow(
      /rendezvous:logRetentionDays: expected one of CloudWatch's periods/,
    );
  });

  it("is what Pulumi.yaml runs: ESM TypeScript through tsx, not Pulumi's ts-node", () => {
    const root = new URL("..", import.meta.url);
    const project = parse(readFileSync(new URL("Pulumi.yaml", root), "utf8"));
    expect(project).toMatchObject({ name: "rendezvous", main: "infra/", runtime: { name: "nodejs" } });
    expect(project.runtime.options.typescript).toBe(false);
    expect(project.runtime.options.nodeargs).toMatch(/--import tsx/);
    expect(existsSync(new URL("infra/index.ts", root))).toBe(true);
    expect(existsSync(new URL("node_modules/tsx/package.json", root))).toBe(true);
  });
});
