/**
 * Runs the program under Pulumi's mocks (no CLI, no AWS) and records every resource with its inputs, so tests can
 * assert on what a `pulumi up` would create. Outputs are resolved to plain JSON.
 */
import * as pulumi from "@pulumi/pulumi";
import type { FunctionSpec } from "../apps/manifest.ts";
import { parseStackConfig } from "./config.ts";
import { type Bundler, buildStack } from "./stack.ts";
import { ACCOUNT, REGION, stackConfig } from "./stack-files.ts";

export { ACCOUNT, REGION, stackConfig };

export interface Recorded {
  readonly type: string;
  readonly name: string;
  // biome-ignore lint/suspicious/noExplicitAny: resource inputs are free-form JSON as the engine would receive them
  readonly inputs: Record<string, any>;
  /** What the mocked provider answered: the inputs plus computed outputs such as `arn`, `url`, `address`. */
  // biome-ignore lint/suspicious/noExplicitAny: as above
  readonly state: Record<string, any>;
}

export interface StackRun {
  readonly resources: readonly Recorded[];
  // biome-ignore lint/suspicious/noExplicitAny: resolved outputs are plain JSON
  readonly outputs: Record<string, any>;
  ofType(type: string): Recorded[];
  one(type: string, name: string): Recorded;
}

/** A stand-in bundle: tests that do not check the code skip esbuild (seconds per function). */
export const fakeBundler: Bundler = (fn) => ({
  archive: new pulumi.asset.AssetArchive({ "index.mjs": new pulumi.asset.StringAsset(`// ${fn.name}`) }),
  hash: `hash-of-${fn.name}`,
});

/** Pulumi's auto-naming: the logical name, a hyphen and 7 random characters (fixed here, so runs compare). */
export const autoName = (name: string): string => `${name}-a1b2c3d`;

/**
 * The ARN AWS answers for a resource, in the format of AWS's documentation (IAM is global, Lambda and log groups
 * use colons, queues and topics are bare names); ENIs and subnets by id. The preflight suite holds every policy
 * to these formats, so a mock that made up its own would hide a malformed ARN the program builds from them.
 */
const arnFor = (type: string, physical: string, id: string, inputs: Record<string, unknown>): string => {
  const at = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
  switch (type) {
    case "aws:iam/role:Role":
      return `arn:aws:iam::${ACCOUNT}:role/${physical}`;
    case "aws:lambda/function:Function":
      return at("lambda", `function:${physical}`);
    case "aws:lambda/alias:Alias": {
      // functionName may be given as a name or as the function's ARN.
      const fn = String(inputs.functionName ?? "")
        .split(":function:")
        .pop();
      return at("lambda", `function:${fn}:${physical}`);
    }
    case "aws:ssm/parameter:Parameter":
      return at("ssm", `parameter/${physical.replace(/^\//, "")}`);
    case "aws:cloudwatch/logGroup:LogGroup":
      return at("logs", `log-group:${physical}`);
    case "aws:sqs/queue:Queue":
      return at("sqs", physical);
    case "aws:sns/topic:Topic":
      return at("sns", physical);
    case "aws:secretsmanager/secret:Secret":
      return at("secretsmanager", `secret:${physical}-AbCdEf`);
    case "aws:dynamodb/table:Table":
      return at("dynamodb", `table/${physical}`);
    case "aws:rds/instance:Instance":
      return at("rds", `db:${physical}`);
    case "aws:cloudwatch/metricAlarm:MetricAlarm":
      return at("cloudwatch", `alarm:${physical}`);
    case "aws:scheduler/schedule:Schedule":
      return at("scheduler", `schedule/default/${physical}`);
    case "aws:ec2/subnet:Subnet":
      return at("ec2", `subnet/${id}`);
    case "aws:ec2/securityGroup:SecurityGroup":
      return at("ec2", `security-group/${id}`);
    default: {
      const [, module = "unknown", kind = "resource"] = /^aws:([^/]+)\/([^:]+)/.exec(type) ?? [];
      return at(module, `${kind.toLowerCase()}/${physical}`);
    }
  }
};

/** Fake values for the outputs AWS would compute; never overwrites an input of the same name. */
const computed = (type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> => {
  const physical = (inputs.name as string | undefined) ?? autoName(name);
  const base: Record<string, unknown> = {
    arn: inputs.arn ?? arnFor(type, physical, `${name}-id`, inputs),
    name: physical,
  };
  switch (type) {
    case "aws:sqs/queue:Queue":
      return { ...base, url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${physical}` };
    case "aws:lambda/function:Function":
      return { ...base, version: "1" };
    case "aws:lambda/alias:Alias":
      // The real format: function ARN and alias name; the function mock's ARN is not, so it is built here.
      return { arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${inputs.functionName}:${inputs.name}` };
    case "aws:ssm/parameter:Parameter":
      return { ...base, arn: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${physical}` };
    case "aws:lambda/functionUrl:FunctionUrl":
      return { functionUrl: `https://${name}.lambda-url.${REGION}.on.aws/` };
    case "aws:rds/instance:Instance":
      return {
        ...base,
        address: `${name}.abc.${REGION}.rds.amazonaws.com`,
        port: 5432,
        identifier: name,
        // The DbiResourceId that rds-db:connect ARNs name.
        resourceId: "db-ABCDEFGHIJKLMNOPQRSTUVWXY0",
        masterUserSecrets: [{ secretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:rds!db-${name}` }],
      };
    case "aws:cloudwatch/dashboard:Dashboard":
      return { dashboardName: inputs.dashboardName };
    case "aws:scheduler/schedule:Schedule":
      return { ...base };
    case "aws:ec2/vpcEndpoint:VpcEndpoint":
      return { ...base, prefixListId: `pl-${name}` };
    // Under mocks awsx's Vpc is one resource: answer what its outputs would be, one private subnet per AZ.
    case "awsx:ec2:Vpc": {
      const azs = (inputs.availabilityZoneNames as string[] | undefined) ?? [];
      return {
        vpcId: `vpc-${name}`,
        privateSubnetIds: azs.map((az) => `subnet-${name}-private-${az}`),
        routeTables: azs.map((az) => ({ id: `rtb-${name}-private-${az}` })),
        publicSubnetIds: [],
        isolatedSubnetIds: [],
      };
    }
    default:
      return base;
  }
};

/** What the mocked RDS-managed master secret holds: tests look for it where it must (not) appear. */
export const MASTER_PASSWORD = "mock-master-password-from-rds";

const calls: Record<string, Record<string, unknown>> = {
  "aws:index/getRegion:getRegion": { region: REGION, name: REGION, id: REGION },
  "aws:index/getCallerIdentity:getCallerIdentity": { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root` },
  "aws:index/getPartition:getPartition": { partition: "aws", dnsSuffix: "amazonaws.com" },
  "aws:secretsmanager/getSecretVersion:getSecretVersion": {
    secretString: JSON.stringify({ username: "rendezvous", password: MASTER_PASSWORD }),
  },
  "aws:index/getAvailabilityZones:getAvailabilityZones": {
    names: [`${REGION}a`, `${REGION}b`, `${REGION}c`],
    zoneIds: ["euw1-az1", "euw1-az2", "euw1-az3"],
  },
};

const SLOW = new Set([
  "aws:ec2/vpcEndpoint:VpcEndpoint",
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  "aws:lambda/invocation:Invocation",
]);

// biome-ignore lint/suspicious/noExplicitAny: reaches the SDK's internal RPC tracker, which its typings omit
const settings = (await import("@pulumi/pulumi/runtime/settings.js" as string)) as any;

/** Sets the mocks and config for `stack`, then runs `program` and waits until every resource is registered. */
export const underMocks = async (
  stack: string,
  config: Record<string, string>,
  program: () => Record<string, unknown>,
): Promise<StackRun> => {
  const resources: Recorded[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: async (args) => {
        // Slow resources finish late, and each is recorded when it finishes, so the recorded order shows which
        // resources waited for them (dependsOn), which mocks do not report otherwise.
        if (SLOW.has(args.type)) await new Promise((resolve) => setTimeout(resolve, 30));
        const state = { ...computed(args.type, args.name, args.inputs), ...args.inputs };
        resources.push({ type: args.type, name: args.name, inputs: args.inputs, state });
        return { id: `${args.name}-id`, state };
      },
      call: (args) => {
        const result = calls[args.token];
        if (!result) throw new Error(`no mock for the call ${args.token}`);
        return result;
      },
    },
    "rendezvous",
    stack,
    false,
  );
  pulumi.runtime.setAllConfig(config);
  // Inside a stack resource, as `pulumi up` runs the program: stack transformations (infra/tags.ts) need it. A
  // program that throws is reported once the resources it had started are registered, not into the next run.
  let failure: { error: unknown } | undefined;
  const outputs = (await pulumi.runtime.runInPulumiStack(async () => {
    try {
      return program();
    } catch (error) {
      failure = { error };
      return {};
    }
  })) as Record<string, unknown>;
  await settings.waitForRPCs();
  if (failure) throw failure.error;
  return {
    resources,
    outputs,
    ofType: (type) => resources.filter((r) => r.type === type),
    one: (type, name) => {
      const found = resources.find((r) => r.type === type && r.name === name);
      if (!found) throw new Error(`no ${type} named ${name}`);
      return found;
    },
  };
};

/** The stack as `pulumi up --stack <stack>` would build it, from its Pulumi.<stack>.yaml. */
export const runStack = (
  stack: string,
  functions: readonly FunctionSpec[],
  config: Record<string, string> = stackConfig(stack),
  bundle: Bundler = fakeBundler,
): Promise<StackRun> =>
  underMocks(stack, config, () => ({ ...buildStack({ config: parseStackConfig(stack, config), functions, bundle }) }));

const shared = new WeakMap<readonly FunctionSpec[], Map<string, Promise<StackRun>>>();

/**
 * `runStack` with the stack file's config, memoized per function list and stack: suites that look at the same
 * deployment (the manifest's, the sample's) share one run instead of repeating it. Runs are read-only data.
 */
export const sharedRun = (stack: string, functions: readonly FunctionSpec[]): Promise<StackRun> => {
  const byStack = shared.get(functions) ?? new Map<string, Promise<StackRun>>();
  shared.set(functions, byStack);
  const run = byStack.get(stack) ?? runStack(stack, functions);
  byStack.set(stack, run);
  return run;
};
