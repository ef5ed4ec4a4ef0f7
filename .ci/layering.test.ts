import { execFile } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";

/**
 * Proves the layering check bites: a throwaway file in core/ that breaks a rule must fail the same commands
 * `npm test` runs, with a message naming the file and the rule.
 */
const run = promisify(execFile);
const probes: string[] = [];
afterEach(() => {
  for (const file of probes.splice(0)) rmSync(file, { force: true });
});

const probe = (name: string, source: string, suffix = ".ts"): string => {
  const file = `core/${name}-${process.pid}${suffix}`;
  probes.push(file);
  writeFileSync(file, source);
  return file;
};

const failureOf = async (command: string, args: string[]): Promise<string> => {
  try {
    await run("npx", [command, ...args], { encoding: "utf8" });
  } catch (error) {
    const { stdout, stderr } = error as { stdout: string; stderr: string };
    return `${stdout}\n${stderr}`;
  }
  throw new Error(`${command} ${args.join(" ")} passed, but it should have failed`);
};

describe("the layering rule", () => {
  it.each([
    ["@aws-sdk/client-sqs", `import { SQSClient } from "@aws-sdk/client-sqs";\nexport const c = SQSClient;\n`],
    ["drizzle-orm", `import { sql } from "drizzle-orm";\nexport const s = sql;\n`],
    ["postgres", `import postgres from "postgres";\nexport const p = postgres;\n`],
  ])("fails a core/ file that imports %s, naming the file and the rule", async (_name, source) => {
    const file = probe("layering-probe", source);
    const output = await failureOf("depcruise", [file, "--config", ".dependency-cruiser.cjs"]);
    expect(output).toContain("core-imports-only-effect-and-core");
    expect(output).toContain(file);
  });

  it("fails a core/ unit test that reaches for a real engine's adapter, naming the file and the rule", async () => {
    const source = `import { migrateDatabase } from "../adapters/postgres/migrate.ts";\nexport const m = migrateDatabase;\n`;
    const file = probe("test-probe", source, ".test.ts");
    const output = await failureOf("depcruise", [file, "--config", ".dependency-cruiser.cjs"]);
    expect(output).toContain("core-tests-use-only-in-process-adapters");
    expect(output).toContain(file);
  });

  it("fails a core/ file that reads process.env, naming the file and the rule", async () => {
    const file = probe("env-probe", "export const region = process.env.AWS_REGION;\n");
    const output = await failureOf("biome", ["lint", file]);
    expect(output).toContain("noProcessEnv");
    expect(output).toContain(file);
  });

  it("passes core/ as it stands", async () => {
    const { stdout } = await run("npx", ["depcruise", "core", "--config", ".dependency-cruiser.cjs"]);
    expect(stdout).toContain("no dependency violations found");
  });
});
