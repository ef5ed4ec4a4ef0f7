import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface ScheduledFunction {
  /** The manifest's function name. */
  readonly name: string;
  readonly functionArn: pulumi.Input<string>;
  /** `rate(...)` or `cron(...)`, from stack config or else the manifest. */
  readonly expression: string;
  /** Kept but DISABLED (stack config `schedules: {<name>: {paused: true}}`). @default false */
  readonly paused?: boolean;
}

export interface SchedulesArgs {
  /** Resource names are `<prefix>-<function>`. */
  readonly prefix: string;
  readonly functions: readonly ScheduledFunction[];
  /** Where EventBridge Scheduler puts an event it could not deliver after its retries. */
  readonly deadLetterQueueArn: pulumi.Input<string>;
  /** @default 3 */
  readonly maximumRetryAttempts?: number;
  /** Drop an undelivered tick after this long: a later tick does the same work. @default 300 */
  readonly maximumEventAgeSeconds?: number;
}

/**
 * EventBridge Scheduler schedules, one per scheduled function, with a retry policy and a dead-letter queue. The
 * scheduler's role may invoke exactly these functions and write exactly that queue.
 */
export class Schedules extends pulumi.ComponentResource {
  readonly scheduleNames: pulumi.Output<string>[];
  readonly roleName: pulumi.Output<string>;

  constructor(name: string, args: SchedulesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("rendezvous:infra:Schedules", name, {}, opts);
    const role = new aws.iam.Role(
      name,
      {
        description: "EventBridge Scheduler: invokes the scheduled functions",
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "scheduler.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
      },
      { parent: this },
    );
    const policy = new aws.iam.RolePolicy(
      name,
      {
        role: role.name,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: args.functions.map((f) => f.functionArn) },
            { Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [args.deadLetterQueueArn] },
          ],
        }),
      },
      { parent: this },
    );
    this.scheduleNames = args.functions.map(
      (fn) =>
        new aws.scheduler.Schedule(
          `${name}-${fn.name}`,
          {
            name: `${args.prefix}-${fn.name}`,
            description: `Invokes ${fn.name} on ${fn.expression}`,
            scheduleExpression: fn.expression,
            state: fn.paused ? "DISABLED" : "ENABLED",
            flexibleTimeWindow: { mode: "OFF" },
            target: {
              arn: fn.functionArn,
              roleArn: role.arn,
              // apps/http/events.ts ScheduledEvent; Scheduler fills in the tick's time.
              input: JSON.stringify({
                source: "rendezvous.schedule",
                schedule: fn.name,
                scheduled_time: "<aws.scheduler.scheduled-time>",
              }),
              retryPolicy: {
                maximumRetryAttempts: args.maximumRetryAttempts ?? 3,
                maximumEventAgeInSeconds: args.maximumEventAgeSeconds ?? 300,
              },
              deadLetterConfig: { arn: args.deadLetterQueueArn },
            },
          },
          { parent: this, dependsOn: [policy] },
        ).name,
    );
    this.roleName = role.name;
    this.registerOutputs({ scheduleNames: this.scheduleNames });
  }
}
