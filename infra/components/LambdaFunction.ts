import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { LogLevel } from "../../apps/telemetry.ts";
import { LIVE_ALIAS } from "../live-alias.ts";

/** One IAM statement: exact actions on exact resources (Allow). */
export interface Grant {
  readonly actions: readonly string[];
  readonly resources: readonly pulumi.Input<string>[];
}

export interface FunctionVpc {
  readonly subnetIds: pulumi.Input<string>[];
  readonly subnetArns: pulumi.Input<string>[];
  readonly securityGroupId: pulumi.Input<string>;
  readonly securityGroupArn: pulumi.Input<string>;
  /** `arn:<partition>:ec2:<region>:<account>:network-interface/*`: the ENIs Lambda manages for the function. */
  readonly networkInterfacesArn: pulumi.Input<string>;
  /**
   * The VPC endpoints and NAT routes: a function may run as soon as it exists (the migrator runs during the deploy
   * and reads its secret through the Secrets Manager endpoint), so it is created only after them. @default []
   */
  readonly egress?: readonly pulumi.Resource[];
}

export interface LambdaFunctionArgs {
  /** The deployed function's name, e.g. `rendezvous-staging-sessions`. */
  readonly functionName: string;
  readonly description: string;
  /** The bundle: `index.mjs` exporting `handler`, plus its assets. */
  readonly code: pulumi.asset.Archive;
  /** @default "nodejs24.x" */
  readonly runtime?: string;
  /** @default 512 */
  readonly memoryMb?: number;
  /** @default 10 */
  readonly timeoutSeconds?: number;
  /** No reservation when absent. */
  readonly reservedConcurrency?: number;
  /** @default 7 */
  readonly logRetentionDays?: number;
  /** The stack's log level (the function's `LOG_LEVEL`); sets what Lambda passes (applicationLogLevel). @default info */
  readonly logLevel?: LogLevel;
  /** Names, ARNs and URLs only, never a secret value. @default {} */
  readonly environment?: Record<string, pulumi.Input<string>>;
  /** What the function may do beyond logging and tracing. @default [] */
  readonly grants?: readonly Grant[];
  /** Placed in the VPC only when set (functions that need Postgres). */
  readonly vpc?: FunctionVpc;
  /** Where failed asynchronous invocations go (after Lambda's retries); required for scheduled functions. */
  readonly asyncFailureQueueArn?: pulumi.Input<string>;
  /**
   * Resources the function's code and configuration change only after, e.g. the deploy-time migration run. Given
   * to the function itself: a component's `dependsOn` does not hold back its children. @default []
   */
  readonly runAfter?: readonly pulumi.Resource[];
}

/**
 * The level above which Lambda drops the function's JSON lines. Never above INFO: the logger filters by LOG_LEVEL
 * itself, and an EMF metric line has no `level` key, which Lambda reads as INFO, so a WARN or ERROR here would
 * drop every metric. DEBUG only when the stack logs debug, else Lambda would drop the logger's debug lines.
 */
export const applicationLogLevelOf = (logLevel: LogLevel): "DEBUG" | "INFO" =>
  logLevel === "debug" ? "DEBUG" : "INFO";

/**
 * One Lambda function with its own role (exact actions on exact resources; X-Ray's put actions and the ENI
 * describes that AWS allows only on `*` are the sole wildcards), its log group with the stack's retention, active
 * tracing, arm64, JSON logs. Every change publishes a version and moves the `live` alias to it.
 */
export class LambdaFunction extends pulumi.ComponentResource {
  readonly function: aws.lambda.Function;
  readonly name: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  readonly alias: aws.lambda.Alias;
  /** `arn:...:function:<name>:live`: what URLs, schedules, the queue mapping and callers invoke. */
  readonly aliasArn: pulumi.Output<string>;
  readonly roleName: pulumi.Output<string>;
  readonly logGroupName: pulumi.Output<string>;

  constructor(name: string, args: LambdaFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("rendezvous:infra:LambdaFunction", name, {}, opts);
    const parent = { parent: this };
    const logGroup = new aws.cloudwatch.LogGroup(
      name,
      { name: `/aws/lambda/${args.functionName}`, retentionInDays: args.logRetentionDays ?? 7 },
      parent,
    );
    const role = new aws.iam.Role(
      name,
      {
        description: `Execution role of ${args.functionName}`,
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
      },
      parent,
    );

    const grants: Grant[] = [
      { actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [pulumi.interpolate`${logGroup.arn}:*`] },
      // X-Ray has no resource-level permissions: its put actions accept only "*".
      { actions: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], resources: ["*"] },
      ...(args.grants ?? []),
    ];
    if (args.vpc) {
      const { vpc } = args;
      grants.push(
        // EC2's describe actions have no resource-level permissions either; Lambda needs them to manage the ENIs.
        { actions: ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"], resources: ["*"] },
        {
          actions: ["ec2:CreateNetworkInterface"],
          resources: [...vpc.subnetArns, vpc.securityGroupArn, vpc.networkInterfacesArn],
        },
        {
          actions: ["ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"],
          resources: [vpc.networkInterfacesArn],
        },
      );
    }
    if (args.asyncFailureQueueArn)
      grants.push({ actions: ["sqs:SendMessage"], resources: [args.asyncFailureQueueArn] });

    const policy = new aws.iam.RolePolicy(
      name,
      {
        role: role.name,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: grants.map((grant) => ({
            Effect: "Allow",
            Action: [...grant.actions],
            Resource: [...grant.resources],
          })),
        }),
      },
      parent,
    );

    this.function = new aws.lambda.Function(
      name,
      {
        name: args.functionName,
        description: args.description,
        role: role.arn,
        code: args.code,
        handler: "index.handler",
        publish: true,
        runtime: args.runtime ?? "nodejs24.x",
        architectures: ["arm64"],
        memorySize: args.memoryMb ?? 512,
        timeout: args.timeoutSeconds ?? 10,
        ...(args.reservedConcurrency === undefined ? {} : { reservedConcurrentExecutions: args.reservedConcurrency }),
        tracingConfig: { mode: "Active" },
        loggingConfig: {
          logFormat: "JSON",
          logGroup: logGroup.name,
          applicationLogLevel: applicationLogLevelOf(args.logLevel ?? "info"),
        },
        // An empty `variables` map would show as a change on every update.
        ...(Object.keys(args.environment ?? {}).length > 0
          ? { environment: { variables: args.environment ?? {} } }
          : {}),
        ...(args.vpc
          ? { vpcConfig: { subnetIds: args.vpc.subnetIds, securityGroupIds: [args.vpc.securityGroupId] } }
          : {}),
      },
      // The role must be able to write logs (and create ENIs) before the function first runs.
      { parent: this, dependsOn: [policy, logGroup, ...(args.vpc?.egress ?? []), ...(args.runAfter ?? [])] },
    );

    this.alias = new aws.lambda.Alias(
      name,
      {
        name: LIVE_ALIAS,
        description: "The version in service; npm run rollback moves it",
        functionName: this.function.name,
        functionVersion: this.function.version,
      },
      parent,
    );

    if (args.asyncFailureQueueArn) {
      new aws.lambda.FunctionEventInvokeConfig(
        name,
        {
          functionName: this.function.name,
          // Schedules invoke the alias: its invocations follow the alias's configuration.
          qualifier: this.alias.name,
          maximumRetryAttempts: 2,
          maximumEventAgeInSeconds: 3600,
          destinationConfig: { onFailure: { destination: args.asyncFailureQueueArn } },
        },
        parent,
      );
    }

    this.name = this.function.name;
    this.arn = this.function.arn;
    this.aliasArn = this.alias.arn;
    this.roleName = role.name;
    this.logGroupName = logGroup.name;
    this.registerOutputs({ name: this.name, arn: this.arn, aliasArn: this.aliasArn, logGroupName: this.logGroupName });
  }
}
