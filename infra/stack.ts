/**
 * The whole stack from a config and a list of functions: shared resources first, then every manifest function
 * with its role, triggers and alarms. `bundle` is injected so tests run without esbuild.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DELIVERY_STORE_FUNCTION, type FunctionSpec, manifestProblems, memoryOf, timeoutOf } from "../apps/manifest.ts";
import { environmentFor, grantsFor, type SharedResources } from "./access.ts";
import { Alarms, type WatchedFunction } from "./components/Alarms.ts";
import { FunctionUrl } from "./components/FunctionUrl.ts";
import { LambdaFunction } from "./components/LambdaFunction.ts";
import { Schedules } from "./components/Schedules.ts";
import { type StackConfig, StackConfigError } from "./config.ts";
import { connectionBudgetProblems } from "./connection-budget.ts";
import { deployRun } from "./deploy-run.ts";
import { createShared } from "./foundation.ts";
import { networkKindOf } from "./placement.ts";
import { missedRunsAlarmPeriod } from "./schedule-period.ts";
import { tagEveryResource } from "./tags.ts";

/** A function's deployable code and a digest of it (a changed digest re-runs the deploy-time invocation). */
export interface Bundle {
  readonly archive: pulumi.asset.Archive;
  readonly hash: string;
}
export type Bundler = (fn: FunctionSpec) => Bundle;

export interface StackOptions {
  readonly config: StackConfig;
  readonly functions: readonly FunctionSpec[];
  readonly bundle: Bundler;
  /** Checks entry files; the program passes `existsSync`. @default every entry exists */
  readonly entryExists?: (entry: string) => boolean;
}

/** Exactly the keys of API.md "Stack outputs". */
export interface StackOutputs {
  readonly stage: string;
  readonly region: pulumi.Output<string>;
  readonly urls: Record<string, pulumi.Output<string>>;
  readonly sessionsTableName: pulumi.Output<string>;
  readonly deliveriesQueueUrl: pulumi.Output<string>;
  readonly deliveriesDlqUrl: pulumi.Output<string>;
  readonly functionNames: Record<string, pulumi.Output<string>>;
  readonly databaseEndpoint: pulumi.Output<string>;
  readonly alarmTopicArn: pulumi.Output<string>;
  readonly dashboardUrl: pulumi.Output<string>;
}

const checkInputs = ({ config, functions, entryExists }: StackOptions): void => {
  const problems = manifestProblems(functions, entryExists ?? (() => true));
  const caller = functions.find((fn) => fn.needs.includes("deliveryStore:invoke"));
  if (caller && !functions.some((fn) => fn.name === DELIVERY_STORE_FUNCTION)) {
    problems.push(
      `${caller.name}: needs deliveryStore:invoke, but the stack has no ${DELIVERY_STORE_FUNCTION} function`,
    );
  }
  if (problems.length > 0) throw new Error(`the manifest has problems:\n  ${problems.join("\n  ")}`);
  // A schedule for a function the manifest does not (yet) hold is ignored with a warning, so one stack file serves
  // while capabilities are added; a schedule for a function that has no schedule trigger is a mistake.
  const configProblems: string[] = [];
  for (const name of new Set([...Object.keys(config.schedules), ...config.pausedSchedules])) {
    const fn = functions.find((f) => f.name === name);
    if (!fn) pulumi.log.warn(`rendezvous:schedules: "${name}" is not in the manifest; ignored`);
    else if (!fn.triggers.some((t) => t.kind === "schedule")) {
      configProblems.push(`rendezvous:schedules: "${name}" has no schedule trigger in the manifest`);
    }
  }
  for (const name of Object.keys(config.reservedConcurrency)) {
    if (!functions.some((f) => f.name === name)) {
      pulumi.log.warn(`rendezvous:reservedConcurrency: "${name}" is not in the manifest; ignored`);
    }
  }
  configProblems.push(...connectionBudgetProblems(functions, config.reservedConcurrency, config.dbInstanceClass));
  const reader = functions.find((fn) => fn.needs.includes("webhookUrl:read"));
  if (reader && config.settings.webhookUrl === undefined) {
    configProblems.push(`rendezvous:webhookUrl: required, ${reader.name} reads it (webhookUrl:read)`);
  }
  if (configProblems.length > 0) throw new StackConfigError(configProblems);
};

/**
 * A schedule that fires at least once every 5 minutes (the scheduler's every minute): a single failed tick is
 * retried by the next, so its alarm waits for more than 3 errors in 5 minutes. A rarer schedule (the matcher's)
 * alarms on its first error, like a request.
 */
export const firesEveryFewMinutes = (expression: string): boolean => {
  const rate = /^rate\((\d+) minutes?\)$/.exec(expression);
  return rate !== null && Number(rate[1]) < 5;
};

/** The function whose runs BatchRuns counts (apps/matching/functions.ts). */
const MATCHER = "matcher";

export const buildStack = (options: StackOptions): StackOutputs => {
  checkInputs(options);
  const { config, functions, bundle } = options;
  const prefix = `rendezvous-${config.stage}`;
  tagEveryResource(config.stage);
  const created = createShared(prefix, config, functions);
  const { region, database, sessionsTable, deliveries, scheduleDlq, asyncDlq, vpcFor } = created;
  let shared: SharedResources = created.shared;
  const corsOrigins: string[] = config.settings.corsOrigins ? JSON.parse(config.settings.corsOrigins) : [];

  // Deploy-time functions (the migrator) run before any function that shares their needs changes; the delivery
  // store exists before the functions that invoke its alias.
  const isDeployTime = (fn: FunctionSpec) => fn.triggers.some((t) => t.kind === "deploy");
  const rank = (fn: FunctionSpec) => (isDeployTime(fn) ? 0 : fn.name === DELIVERY_STORE_FUNCTION ? 1 : 2);
  const deployed = new Map<string, LambdaFunction>();
  const urls: Record<string, pulumi.Output<string>> = {};
  const deployRuns: pulumi.Resource[] = [];
  const deployedAt = new Date().toISOString();
  for (const fn of [...functions].sort((a, b) => rank(a) - rank(b))) {
    const scheduled = fn.triggers.some((t) => t.kind === "schedule");
    const kind = networkKindOf(fn);
    const reservedConcurrency = config.reservedConcurrency[fn.name] ?? fn.reservedConcurrency;
    const code = bundle(fn);
    const lambda = new LambdaFunction(`${prefix}-${fn.name}`, {
      functionName: `${prefix}-${fn.name}`,
      description: fn.description,
      code: code.archive,
      runtime: config.lambdaRuntime,
      memoryMb: memoryOf(fn, config.lambdaMemoryMb),
      timeoutSeconds: timeoutOf(fn),
      ...(reservedConcurrency === undefined ? {} : { reservedConcurrency }),
      logRetentionDays: config.logRetentionDays,
      logLevel: config.logLevel,
      environment: environmentFor(fn, shared, config),
      grants: grantsFor(fn, shared),
      ...(scheduled ? { asyncFailureQueueArn: asyncDlq.arn } : {}),
      // In the VPC (after its security group rules and endpoint), and after the deploy-time run unless it is it.
      ...(kind ? { vpc: vpcFor(kind), runAfter: isDeployTime(fn) ? [] : deployRuns } : {}),
    });
    deployed.set(fn.name, lambda);
    if (fn.name === DELIVERY_STORE_FUNCTION) shared = { ...shared, deliveryStore: { aliasArn: lambda.aliasArn } };
    for (const trigger of fn.triggers) {
      if (trigger.kind === "url") {
        urls[fn.name] = new FunctionUrl(
          `${prefix}-${fn.name}`,
          { functionName: lambda.name, qualifier: lambda.alias.name, auth: trigger.auth, corsOrigins },
          { parent: lambda },
        ).url;
      } else if (trigger.kind === "queue") {
        new aws.lambda.EventSourceMapping(
          `${prefix}-${fn.name}-${trigger.queue}`,
          {
            eventSourceArn: deliveries.arn,
            functionName: lambda.aliasArn,
            batchSize: trigger.batchSize,
            functionResponseTypes: ["ReportBatchItemFailures"],
            scalingConfig: { maximumConcurrency: trigger.maximumConcurrency },
          },
          { parent: lambda },
        );
      } else if (trigger.kind === "deploy") {
        deployRuns.push(
          // A new trigger value re-runs it: every deploy (migrating is idempotent, and a database changed outside
          // the program is caught up), and the bundle (code and migrations) and database say why in the diff.
          deployRun(`${prefix}-${fn.name}-on-deploy`, {
            lambda,
            masterSecretArn: database.secretArn,
            triggers: { deploy: deployedAt, bundle: code.hash, database: database.address },
          }),
        );
      }
    }
  }

  const lambdaOf = (name: string): LambdaFunction => {
    const lambda = deployed.get(name);
    if (!lambda) throw new Error(`${name}: not deployed`);
    return lambda;
  };
  const scheduledFunctions = functions.flatMap((fn) =>
    fn.triggers.flatMap((t) =>
      t.kind === "schedule"
        ? [
            {
              name: fn.name,
              functionArn: lambdaOf(fn.name).aliasArn,
              expression: config.schedules[fn.name] ?? t.expression,
              paused: config.pausedSchedules.includes(fn.name),
            },
          ]
        : [],
    ),
  );
  if (scheduledFunctions.length > 0) {
    new Schedules(`${prefix}-schedules`, {
      prefix,
      functions: scheduledFunctions,
      deadLetterQueueArn: scheduleDlq.arn,
    });
  }

  const watched: WatchedFunction[] = functions.map((fn) => ({
    name: fn.name,
    functionName: lambdaOf(fn.name).name,
    errorPolicy: fn.triggers.some((t) => t.kind === "queue")
      ? "queue"
      : scheduledFunctions.some((s) => s.name === fn.name && firesEveryFewMinutes(s.expression))
        ? "scheduled"
        : "request",
  }));
  // The matcher emits BatchRuns: its "not running" alarm watches its schedule, unless the stack paused it.
  const matcher = scheduledFunctions.find((s) => s.name === MATCHER && !s.paused);
  const matcherPeriod = matcher ? missedRunsAlarmPeriod(matcher.expression) : undefined;
  if (matcherPeriod && "reason" in matcherPeriod) {
    pulumi.log.warn(`rendezvous:schedules: no ${MATCHER}-not-running alarm: ${matcherPeriod.reason}`);
  }
  const alarms = new Alarms(`${prefix}-alarms`, {
    prefix,
    stage: config.stage,
    thresholds: config.alarmThresholds,
    ...(matcherPeriod && "seconds" in matcherPeriod ? { matcherPeriodSeconds: matcherPeriod.seconds } : {}),
    region,
    email: config.alarmEmail,
    functions: watched,
    deliveriesQueueName: deliveries.name,
    deadLetterQueues: [
      { label: "deliveries-dlq", name: deliveries.dlqName },
      { label: "schedules-dlq", name: scheduleDlq.name },
      { label: "async-dlq", name: asyncDlq.name },
    ],
    dbInstanceIdentifier: database.instanceIdentifier,
  });

  return {
    stage: config.stage,
    region,
    urls,
    sessionsTableName: sessionsTable.name,
    deliveriesQueueUrl: deliveries.url,
    deliveriesDlqUrl: deliveries.dlqUrl,
    functionNames: Object.fromEntries(functions.map((fn) => [fn.name, lambdaOf(fn.name).name])),
    databaseEndpoint: pulumi.interpolate`${database.address}:${database.port}`,
    alarmTopicArn: alarms.topicArn,
    dashboardUrl: alarms.dashboardUrl,
  };
};
