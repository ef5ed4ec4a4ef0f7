/**
 * What an operator of a stack sees (issue 11): every function's stage and log level, the alarms on the business
 * metrics of apps/telemetry.ts with a runbook line each, and the dashboard's widgets for those metrics, per stack.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { functions } from "../apps/manifest.ts";
import { METRICS, type MetricName, type MetricSpec, NAMESPACES, OBSERVABILITY_ENV } from "../apps/telemetry.ts";
import { lambdaOf } from "./policies.ts";
import { runStack, type StackRun, sharedRun, stackConfig } from "./testing.ts";

// biome-ignore lint/suspicious/noExplicitAny: recorded inputs are free-form JSON
type Inputs = Record<string, any>;

/** The stack files' choices: staging logs debug, production info; both run the matcher every 3 hours. */
const LOG_LEVEL: Record<string, string> = { staging: "debug", production: "info" };
const MATCHER_PERIOD = 3 * 3600;

const alarmsOf = (run: StackRun, stage: string): Record<string, Inputs> =>
  Object.fromEntries(
    run
      .ofType("aws:cloudwatch/metricAlarm:MetricAlarm")
      .map((a) => [String(a.inputs.name).replace(`rendezvous-${stage}-`, ""), a.inputs]),
  );
const widgetsOf = (run: StackRun): Inputs[] =>
  JSON.parse(run.ofType("aws:cloudwatch/dashboard:Dashboard")[0]?.inputs.dashboardBody).widgets;

/** The namespace, name and dimension pairs of each combination of a metric, for stack `stage`. */
const combinations = (name: MetricName, stage: string): unknown[][] => {
  const own = (METRICS[name] as MetricSpec).dimension;
  const head = [NAMESPACES[METRICS[name].capability], name, "Stack", stage];
  return own ? own.values.map((value) => [...head, own.name, value]) : [head];
};
/** A widget's lines without their options (label, stat). */
const linesOf = (widget: Inputs): unknown[][] =>
  widget.properties.metrics.map((line: unknown[]) => line.filter((part) => typeof part !== "object"));

/** Each business widget by title: its statistic and the metrics it draws, every combination one line. */
const WIDGETS: ReadonlyArray<[string, string, readonly MetricName[]]> = [
  ["Deliveries by Outcome", "Sum", ["Deliveries"]],
  ["Dead-lettered deliveries", "Sum", ["DeadLettered"]],
  ["Sessions created, revoked by Scope", "Sum", ["SessionsCreated", "SessionsRevoked"]],
  ["Sessions validated by Result", "Sum", ["SessionsValidated"]],
  ["Sign-in failures by Reason", "Sum", ["SignInFailures"]],
  ["Batch runs by Outcome", "Sum", ["BatchRuns"]],
  ["Pool size", "Maximum", ["PoolSize"]],
  ["Pairs by Tier", "Sum", ["Pairs"]],
  ["Batch duration (ms)", "Maximum", ["BatchDuration"]],
  ["Match responses: accepted, declined", "Sum", ["MatchResponses"]],
];

describe.each(["staging", "production"])("what an operator of the %s stack sees", (stage) => {
  let run: StackRun;
  let alarms: Record<string, Inputs>;
  beforeAll(async () => {
    run = await sharedRun(stage, functions);
    alarms = alarmsOf(run, stage);
  });

  it.each(functions.map((fn) => [fn.name]))(
    "%s: its stage and log level, and Lambda never filters above INFO",
    (name) => {
      const lambda = lambdaOf(run, stage, name).inputs;
      expect(lambda.environment.variables).toMatchObject({
        [OBSERVABILITY_ENV.stage]: stage,
        [OBSERVABILITY_ENV.logLevel]: LOG_LEVEL[stage],
      });
      expect(lambda.loggingConfig).toEqual({
        logFormat: "JSON",
        logGroup: `/aws/lambda/rendezvous-${stage}-${name}`,
        applicationLogLevel: stage === "staging" ? "DEBUG" : "INFO",
      });
    },
  );

  it("alarms on late deliveries: DeliveryLateness p99 over 5 minutes above 15 minutes", () => {
    expect(alarms["late-deliveries"]).toMatchObject({
      namespace: NAMESPACES.scheduling,
      metricName: "DeliveryLateness",
      dimensions: { Stack: stage },
      extendedStatistic: "p99",
      period: 300,
      evaluationPeriods: 1,
      comparisonOperator: "GreaterThanThreshold",
      threshold: 15 * 60 * 1000,
      treatMissingData: "notBreaching",
    });
    expect(alarms["late-deliveries"]?.statistic).toBeUndefined();
  });

  it("alarms on the first dead letter in 5 minutes", () => {
    expect(alarms["dead-lettered"]).toMatchObject({
      namespace: NAMESPACES.scheduling,
      metricName: "DeadLettered",
      dimensions: { Stack: stage },
      statistic: "Sum",
      period: 300,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: 1,
      treatMissingData: "notBreaching",
    });
  });

  it("alarms on more than 50 failed sign-ins in 5 minutes, summing every Reason's metric explicitly", () => {
    const alarm = alarms["sign-in-failures"] as Inputs;
    expect(alarm).toMatchObject({ comparisonOperator: "GreaterThanThreshold", threshold: 50, evaluationPeriods: 1 });
    expect(alarm.treatMissingData).toBe("notBreaching");
    expect(alarm.metricName).toBeUndefined();
    const [sum, ...reasons] = alarm.metricQueries as Inputs[];
    expect(sum).toMatchObject({ expression: "SUM([r0, r1, r2, r3])", returnData: true });
    expect(sum?.expression).not.toMatch(/SEARCH/);
    expect(reasons.map((q) => q.id)).toEqual(["r0", "r1", "r2", "r3"]);
    expect(reasons.map((q) => q.returnData)).toEqual([false, false, false, false]);
    expect(reasons.map((q) => q.metric)).toEqual(
      METRICS.SignInFailures.dimension.values.map((reason) => ({
        namespace: NAMESPACES.sessions,
        metricName: "SignInFailures",
        dimensions: { Stack: stage, Reason: reason },
        stat: "Sum",
        period: 300,
      })),
    );
  });

  it("alarms when the matcher has not completed a run in two of its schedule's periods, missing data breaching", () => {
    expect(alarms["matcher-not-running"]).toMatchObject({
      namespace: NAMESPACES.matching,
      metricName: "BatchRuns",
      dimensions: { Stack: stage, Outcome: "completed" },
      statistic: "Sum",
      period: MATCHER_PERIOD,
      evaluationPeriods: 2,
      comparisonOperator: "LessThanThreshold",
      threshold: 1,
      treatMissingData: "breaching",
    });
  });

  it("alarms when the deliveries queue's oldest message is older than 15 minutes", () => {
    const queue = run.one("aws:sqs/queue:Queue", `rendezvous-${stage}-deliveries`).state.name;
    expect(alarms["deliveries-oldest-age"]).toMatchObject({
      namespace: "AWS/SQS",
      metricName: "ApproximateAgeOfOldestMessage",
      dimensions: { QueueName: queue },
      statistic: "Maximum",
      period: 300,
      comparisonOperator: "GreaterThanThreshold",
      threshold: 900,
      treatMissingData: "notBreaching",
    });
  });

  it("ends every alarm's description with a runbook line, naming only widgets the dashboard has", () => {
    const titles = new Set(widgetsOf(run).map((w) => w.properties.title));
    const topic = run.ofType("aws:sns/topic:Topic")[0]?.state.arn;
    expect(Object.keys(alarms).length).toBeGreaterThan(20);
    for (const [name, alarm] of Object.entries(alarms)) {
      const description = String(alarm.alarmDescription);
      expect(description, name).toMatch(/^[^\n]+\. Check first: [^\n]{20,}\.$/);
      expect(description.split("Check first:"), name).toHaveLength(2);
      for (const [, quoted] of description.matchAll(/"([^"]+)"/g))
        expect(titles, `${name}: "${quoted}"`).toContain(quoted);
      expect(alarm.alarmActions, name).toEqual([topic]);
    }
    expect(alarms["dispatcher-error-rate"]?.alarmDescription).toMatch(
      /^dispatcher: .*Check first: the dispatcher function's log lines with level error.*"Deliveries by Outcome"/,
    );
    expect(alarms["matcher-not-running"]?.alarmDescription).toMatch(/two schedule periods of 3 hours/);
  });

  it.each(WIDGETS)("shows the %s widget (%s), one line per combination", (title, stat, names) => {
    const widget = widgetsOf(run).find((w) => w.properties.title === title) as Inputs;
    expect(widget.properties).toMatchObject({ stat, period: 300, region: "eu-west-1", view: "timeSeries" });
    expect(linesOf(widget)).toEqual(names.flatMap((name) => combinations(name, stage)));
  });

  it("shows delivery lateness at p50 and p99, and the deliveries queue's oldest message age", () => {
    const widgets = widgetsOf(run);
    const lateness = widgets.find((w) => w.properties.title === "Delivery lateness p50, p99 (ms)") as Inputs;
    expect(linesOf(lateness)).toEqual([
      ...combinations("DeliveryLateness", stage),
      ...combinations("DeliveryLateness", stage),
    ]);
    expect(lateness.properties.metrics.map((line: unknown[]) => (line.at(-1) as Inputs).stat)).toEqual(["p50", "p99"]);
    const age = widgets.find((w) => w.properties.title === "deliveries queue: oldest message age (s)") as Inputs;
    const queue = run.one("aws:sqs/queue:Queue", `rendezvous-${stage}-deliveries`).state.name;
    expect(age.properties).toMatchObject({
      stat: "Maximum",
      metrics: [["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", queue]],
    });
  });

  it("lays the widgets out without overlap, beside the existing ones", () => {
    const widgets = widgetsOf(run);
    const titles = widgets.map((w) => w.properties.title);
    expect(titles).toEqual(expect.arrayContaining(["queues: messages visible", "database", "sessions: duration p95"]));
    const cells = widgets.map((w) => `${w.x},${w.y}`);
    expect(new Set(cells).size).toBe(widgets.length);
    for (const w of widgets) expect(w.x + w.width).toBeLessThanOrEqual(24);
  });
});

describe("a stack that changes the observability defaults", () => {
  const staging = stackConfig("staging");
  const withMatcher = (matcher: unknown) => ({
    ...staging,
    "rendezvous:schedules": JSON.stringify({ scheduler: "rate(1 minute)", matcher }),
  });
  const businessAlarms = (run: StackRun) =>
    Object.keys(alarmsOf(run, "staging")).filter((id) =>
      ["late-deliveries", "dead-lettered", "sign-in-failures", "deliveries-oldest-age", "matcher-not-running"].includes(
        id,
      ),
    );

  it("logs at its level, Lambda passing INFO, and alarms at its thresholds and its matcher's cron period", async () => {
    const run = await runStack("staging", functions, {
      ...withMatcher("cron(0 9 ? * MON-FRI *)"),
      "rendezvous:logLevel": "error",
      "rendezvous:alarmThresholds": JSON.stringify({ lateDeliveryP99Ms: 600000, signInFailuresPer5Minutes: 20 }),
    });
    for (const fn of run.ofType("aws:lambda/function:Function")) {
      expect(fn.inputs.environment.variables.LOG_LEVEL, fn.name).toBe("error");
      expect(fn.inputs.loggingConfig.applicationLogLevel, fn.name).toBe("INFO");
    }
    const alarms = alarmsOf(run, "staging");
    expect(alarms["late-deliveries"]?.threshold).toBe(600000);
    expect(alarms["sign-in-failures"]?.threshold).toBe(20);
    expect(alarms["deliveries-oldest-age"]?.threshold).toBe(900);
    // Weekdays at 09:00: the longest gap is Friday to Monday.
    expect(alarms["matcher-not-running"]).toMatchObject({ period: 3 * 86400, evaluationPeriods: 2 });
  });

  it.each<[string, unknown]>([
    ["is paused", { expression: "rate(3 hours)", paused: true }],
    ["runs weekly (two periods exceed CloudWatch's 7 days)", "cron(0 9 ? * MON *)"],
  ])("has no matcher-not-running alarm when the matcher %s, and every other business alarm", async (_, matcher) => {
    const run = await runStack("staging", functions, withMatcher(matcher));
    expect(businessAlarms(run).sort()).toEqual(
      ["dead-lettered", "deliveries-oldest-age", "late-deliveries", "sign-in-failures"].sort(),
    );
  });
});
