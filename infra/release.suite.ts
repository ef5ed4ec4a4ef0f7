import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { functions } from "../apps/manifest.ts";
import { lambdaOf } from "./policies.ts";
import { SAMPLE_FUNCTIONS } from "./sample-functions.ts";
import { stackTags } from "./tags.ts";
import { MASTER_PASSWORD, type Recorded, runStack, type StackRun, sharedRun, stackConfig } from "./testing.ts";

/** The secret marker Pulumi wraps a secret input in, as the engine receives it. */
const SECRET_SIG = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };

/**
 * Whether `@pulumi/aws` declares a `tags` input for a resource type, read from its type declarations (the same
 * schema the provider has): `aws:lambda/function:Function` -> `@pulumi/aws/lambda/function.d.ts`.
 */
const declaresTags = (type: string): boolean => {
  const [, path] = type.split(":");
  const file = new URL(`../node_modules/@pulumi/aws/${path}.d.ts`, import.meta.url);
  return /\btags\?: pulumi\.Input</.test(readFileSync(file, "utf8"));
};

/** What goes live, how it is tagged, paused and migrated: the release side of the stack, in both stacks. */
describe.each(["staging", "production"])("releasing the %s stack", (stage) => {
  let sample: StackRun;
  let manifest: StackRun;
  const aliasOf = (run: StackRun, fn: string): Recorded =>
    run.one("aws:lambda/alias:Alias", `rendezvous-${stage}-${fn}`);
  beforeAll(async () => {
    sample = await sharedRun(stage, SAMPLE_FUNCTIONS);
    manifest = await sharedRun(stage, functions);
  });

  it("publishes every function and points a live alias at the published version", () => {
    for (const run of [sample, manifest]) {
      for (const fn of run.ofType("aws:lambda/function:Function")) {
        expect(fn.inputs.publish, fn.name).toBe(true);
        expect(run.one("aws:lambda/alias:Alias", fn.name).inputs).toMatchObject({
          name: "live",
          functionName: fn.inputs.name,
          functionVersion: fn.state.version,
        });
      }
    }
  });

  it("serves URLs, invoke permissions, the queue mapping, schedules and async failures from the alias", () => {
    for (const url of sample.ofType("aws:lambda/functionUrl:FunctionUrl")) expect(url.inputs.qualifier).toBe("live");
    const permissions = sample.ofType("aws:lambda/permission:Permission");
    expect(permissions.length).toBeGreaterThan(0);
    for (const permission of permissions) expect(permission.inputs.qualifier).toBe("live");
    const [mapping] = sample.ofType("aws:lambda/eventSourceMapping:EventSourceMapping");
    expect(mapping?.inputs.functionName).toBe(aliasOf(sample, "dispatcher").state.arn);
    const schedules = sample.ofType("aws:scheduler/schedule:Schedule");
    expect(schedules.map((s) => s.inputs.target.arn).sort()).toEqual(
      ["matcher", "scheduler"].map((fn) => aliasOf(sample, fn).state.arn).sort(),
    );
    const role = JSON.parse(sample.one("aws:iam/rolePolicy:RolePolicy", `rendezvous-${stage}-schedules`).inputs.policy);
    expect(role.Statement[0].Resource.sort()).toEqual(schedules.map((s) => s.inputs.target.arn).sort());
    for (const config of sample.ofType("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig")) {
      expect(config.inputs.qualifier).toBe("live");
    }
  });

  it("names every function in the outputs, the matcher included (for a manual run with aws lambda invoke)", () => {
    expect(sample.outputs.functionNames.matcher).toBe(`rendezvous-${stage}-matcher`);
    expect(Object.keys(manifest.outputs.functionNames).sort()).toEqual(functions.map((fn) => fn.name).sort());
  });

  it("tags every resource of a taggable type with Environment and Service, and the stack file says the same", () => {
    const tags = stackTags(stage);
    const resources = [...sample.resources, ...manifest.resources].filter((r) => r.type.startsWith("aws:"));
    const taggable = resources.filter((r) => declaresTags(r.type));
    expect(new Set(taggable.map((r) => r.type)).size).toBeGreaterThan(8);
    for (const resource of taggable)
      expect(resource.inputs.tags, `${resource.type} ${resource.name}`).toMatchObject(tags);
    // Nothing is tagged that AWS would refuse tags for: the alias, for one, takes none.
    for (const resource of resources.filter((r) => !declaresTags(r.type))) expect(resource.inputs.tags).toBeUndefined();
    expect(declaresTags("aws:lambda/alias:Alias")).toBe(false);
    // The provider's default tags cover what the engine creates outside this process (packaged components).
    expect(JSON.parse(stackConfig(stage)["aws:defaultTags"] ?? "{}")).toEqual({ tags });
  });

  it("hands the migrator the RDS master credentials in its deploy-time payload, as a secret, and nowhere else", () => {
    const invocation = sample.one("aws:lambda/invocation:Invocation", `rendezvous-${stage}-migrator-on-deploy`).inputs;
    expect(invocation.qualifier).toBe("live");
    expect(invocation.input).toMatchObject(SECRET_SIG);
    expect(JSON.parse(invocation.input.value)).toEqual({
      source: "rendezvous.deploy",
      masterCredentials: { username: "rendezvous", password: MASTER_PASSWORD },
    });
    const elsewhere = sample.resources.filter((r) => r.type !== "aws:lambda/invocation:Invocation");
    expect(JSON.stringify([elsewhere.map((r) => r.inputs), sample.outputs])).not.toContain(MASTER_PASSWORD);
    expect(lambdaOf(sample, stage, "migrator").inputs.environment.variables).not.toHaveProperty("DATABASE_SECRET_ARN");
  });

  it("pauses a schedule from stack config, keeping its expression, and runs the others", async () => {
    expect(sample.ofType("aws:scheduler/schedule:Schedule").map((s) => s.inputs.state)).toEqual(["ENABLED", "ENABLED"]);
    const paused = await runStack(stage, SAMPLE_FUNCTIONS, {
      ...stackConfig(stage),
      "rendezvous:schedules": JSON.stringify({ scheduler: "rate(1 minute)", matcher: { paused: true } }),
    });
    const states = Object.fromEntries(
      paused.ofType("aws:scheduler/schedule:Schedule").map((s) => [s.inputs.name, s.inputs]),
    );
    expect(states[`rendezvous-${stage}-matcher`]).toMatchObject({
      state: "DISABLED",
      scheduleExpression: "rate(6 hours)",
    });
    expect(states[`rendezvous-${stage}-scheduler`]).toMatchObject({
      state: "ENABLED",
      scheduleExpression: "rate(1 minute)",
    });
  });
});
