import { beforeAll, describe, expect, it } from "vitest";
import { lambdaOf } from "./policies.ts";
import { SAMPLE_FUNCTIONS } from "./sample-functions.ts";
import { type StackRun, sharedRun } from "./testing.ts";

/** What differs between the stacks, each as its stack file configures it. */
describe("staging and production", () => {
  const runs: Record<string, StackRun> = {};
  beforeAll(async () => {
    runs.staging = await sharedRun("staging", SAMPLE_FUNCTIONS);
    runs.production = await sharedRun("production", SAMPLE_FUNCTIONS);
  });
  const both = <T>(pick: (run: StackRun, stage: string) => T): [T, T] => [
    pick(runs.staging as StackRun, "staging"),
    pick(runs.production as StackRun, "production"),
  ];

  it("keep logs 7 days in staging and 30 in production", () => {
    const retention = both(
      (run) => new Set(run.ofType("aws:cloudwatch/logGroup:LogGroup").map((g) => g.inputs.retentionInDays)),
    );
    expect(retention).toEqual([new Set([7]), new Set([30])]);
  });

  it("give functions the stack's memory", () => {
    expect(both((run, stage) => lambdaOf(run, stage, "sessions").inputs.memorySize)).toEqual([512, 1024]);
  });

  it("cap the public functions at 10 in staging and 100 in production, as the sessions service this replaces", () => {
    for (const fn of ["sessions", "matching"]) {
      expect(both((run, stage) => lambdaOf(run, stage, fn).inputs.reservedConcurrentExecutions)).toEqual([10, 100]);
    }
    expect(both((run, stage) => lambdaOf(run, stage, "scheduling").inputs.reservedConcurrentExecutions)).toEqual([
      2, 10,
    ]);
  });

  it("protect production's database: Multi-AZ, deletion protection, final snapshot, longer backups", () => {
    const [staging, production] = both((run) => run.ofType("aws:rds/instance:Instance")[0]?.inputs);
    expect(staging).toMatchObject({
      multiAz: false,
      deletionProtection: false,
      skipFinalSnapshot: true,
      backupRetentionPeriod: 1,
    });
    expect(production).toMatchObject({
      multiAz: true,
      deletionProtection: true,
      skipFinalSnapshot: false,
      backupRetentionPeriod: 14,
    });
    expect(production?.finalSnapshotIdentifier).toBe("rendezvous-production-final");
    expect(both((run) => run.ofType("aws:rds/instance:Instance")[0]?.inputs.instanceClass)).toEqual([
      "db.t4g.micro",
      "db.t4g.small",
    ]);
  });

  it("bill the sessions table on demand in staging, provisioned with auto scaling in production", () => {
    const [staging, production] = both((run) => run.ofType("aws:dynamodb/table:Table")[0]?.inputs);
    expect(staging).toMatchObject({ billingMode: "PAY_PER_REQUEST", deletionProtectionEnabled: false });
    expect(staging?.pointInTimeRecovery).toEqual({ enabled: false });
    expect(production).toMatchObject({ billingMode: "PROVISIONED", readCapacity: 5, writeCapacity: 5 });
    expect(production).toMatchObject({ deletionProtectionEnabled: true, pointInTimeRecovery: { enabled: true } });
    for (const table of [staging, production]) {
      expect(table?.ttl).toEqual({ attributeName: "ttl", enabled: true });
      expect(table?.globalSecondaryIndexes?.[0]).toMatchObject({
        name: "by_user",
        hashKey: "user_id",
        rangeKey: "created_at",
      });
    }
    const [stagingTargets, productionTargets] = both((run) =>
      run.ofType("aws:appautoscaling/target:Target").map((t) => t.inputs),
    );
    expect(stagingTargets).toEqual([]);
    expect(productionTargets.map((t) => t.scalableDimension).sort()).toEqual([
      "dynamodb:index:ReadCapacityUnits",
      "dynamodb:index:WriteCapacityUnits",
      "dynamodb:table:ReadCapacityUnits",
      "dynamodb:table:WriteCapacityUnits",
    ]);
    expect(productionTargets.find((t) => t.scalableDimension === "dynamodb:table:ReadCapacityUnits")).toMatchObject({
      minCapacity: 5,
      maxCapacity: 200,
    });
    expect(both((run) => run.ofType("aws:appautoscaling/policy:Policy").length)).toEqual([0, 4]);
  });

  it("alarm on the same conditions in both, to each stack's topic", () => {
    const names = both((run, stage) =>
      run
        .ofType("aws:cloudwatch/metricAlarm:MetricAlarm")
        .map((a) => a.inputs.name.replace(`rendezvous-${stage}-`, ""))
        .sort(),
    );
    expect(names[0]).toEqual(names[1]);
    expect(names[0]).toEqual(
      [
        ...SAMPLE_FUNCTIONS.map((fn) => `${fn.name}-throttles`),
        "migrator-errors",
        "sessions-errors",
        "scheduling-errors",
        "scheduler-errors",
        "dispatcher-error-rate",
        "matching-errors",
        "matcher-errors",
        "deliveries-depth",
        "deliveries-dlq-not-empty",
        "schedules-dlq-not-empty",
        "async-dlq-not-empty",
        "database-cpu",
        "database-free-storage",
        "late-deliveries",
        "dead-lettered",
        "sign-in-failures",
        "deliveries-oldest-age",
        "matcher-not-running",
      ].sort(),
    );
    const alarms = Object.fromEntries(
      (runs.staging as StackRun)
        .ofType("aws:cloudwatch/metricAlarm:MetricAlarm")
        .map((a) => [a.inputs.name.replace("rendezvous-staging-", ""), a.inputs]),
    );
    expect(alarms["scheduler-errors"]).toMatchObject({ metricName: "Errors", threshold: 3, period: 300 });
    // The matcher runs every 3 hours: its first error alarms.
    expect(alarms["matcher-errors"]).toMatchObject({ metricName: "Errors", threshold: 0 });
    expect(alarms["dispatcher-error-rate"]).toMatchObject({ threshold: 10 });
    const queries = alarms["dispatcher-error-rate"].metricQueries;
    expect(queries[0].expression).toBe("IF(invocations > 0, 100 * errors / invocations, 0)");
    expect(queries.map((q: { returnData?: boolean }) => q.returnData ?? false)).toEqual([true, false, false]);
    expect(alarms["deliveries-depth"]).toMatchObject({
      metricName: "ApproximateNumberOfMessagesVisible",
      threshold: 1000,
    });
    expect(alarms["database-cpu"]).toMatchObject({ metricName: "CPUUtilization", threshold: 80 });
    expect(alarms["database-free-storage"]).toMatchObject({
      comparisonOperator: "LessThanThreshold",
      threshold: 2 * 1024 ** 3,
    });
    const topics = both((run) =>
      run.ofType("aws:sns/topicSubscription:TopicSubscription").map((s) => s.inputs.endpoint),
    );
    expect(topics).toEqual([["ops-staging@example.com"], ["ops@example.com"]]);
    expect(both((run) => run.ofType("aws:cloudwatch/dashboard:Dashboard").length)).toEqual([1, 1]);
    const dashboard = JSON.parse(
      (runs.staging as StackRun).ofType("aws:cloudwatch/dashboard:Dashboard")[0]?.inputs.dashboardBody,
    );
    const titles: string[] = dashboard.widgets.map((w: { properties: { title: string } }) => w.properties.title);
    for (const fn of SAMPLE_FUNCTIONS) expect(titles).toContain(`${fn.name}: invocations, errors, throttles`);
    expect(titles).toEqual(expect.arrayContaining(["queues: messages visible", "database"]));
  });
});
