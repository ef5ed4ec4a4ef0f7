import { beforeAll, describe, expect, it } from "vitest";
import { functions } from "../apps/manifest.ts";
import { recordLocalFlows } from "./permissions/local-flows.ts";
import { PLATFORM_GRANTS } from "./permissions/platform.ts";
import { permissionProblems, type RecordedCall } from "./permissions/proof.ts";
import { logicalResourceOf } from "./permissions/resources.ts";
import { type StackRun, sharedRun } from "./testing.ts";

const names = functions.map((fn) => fn.name);
const queue = "http://sqs.us-east-1.localhost:1/000000000000/rendezvous-local-deliveries";
const sessionsCalls: RecordedCall[] = [
  ...["GetItem", "PutItem", "UpdateItem"].map((action) => ({
    function: "sessions",
    service: "dynamodb",
    action,
    resource: "rendezvous-local-sessions",
  })),
  { function: "sessions", service: "dynamodb", action: "Query", resource: "rendezvous-local-sessions/index/by_user" },
];

/**
 * Grants no recorded call uses, each with its reason. Listed, not skipped: a test fails when one goes unlisted or
 * stays listed after it is gone, so the list only changes on purpose.
 */
const knownUnused = (run: StackRun, stage: string, only?: string): string[] => {
  const unused: string[] = [];
  // Used only on a path the flows cannot reach in a minute: a delivery lost four times is given up onto the
  // dead-letter queue by the scheduler. apps/scheduling/recovery.test.ts drives that path on fauxqs and finds the
  // message on the DLQ; the grant stays, listed here rather than hidden.
  const deadLetters = run.one("aws:sqs/queue:Queue", `rendezvous-${stage}-deliveries-dlq`).state.arn;
  unused.push(`scheduler: grants sqs:SendMessage on ${deadLetters}`);
  return unused.filter((p) => !only || p.startsWith(`${only}:`)).map((p) => `${p}, which no recorded call uses`);
};
const sorted = (problems: string[]) => [...problems].sort();

describe("permissions: each function's policy allows exactly the AWS calls it makes", () => {
  describe("the check itself", () => {
    it("passes a function whose every grant is used and every call allowed", async () => {
      const run = await sharedRun("staging", functions);
      expect(await permissionProblems(run, "staging", ["sessions"], sessionsCalls)).toEqual(
        knownUnused(run, "staging", "sessions"),
      );
    });

    it("fails a recorded call the policy lacks, naming the function, the action and the resource", async () => {
      const run = await sharedRun("staging", functions);
      const deleting = {
        function: "sessions",
        service: "dynamodb",
        action: "DeleteItem",
        resource: "rendezvous-local-sessions",
      };
      const sending = { function: "sessions", service: "sqs", action: "SendMessage", resource: queue };
      const problems = await permissionProblems(run, "staging", ["sessions"], [...sessionsCalls, deleting, sending]);
      const table = run.one("aws:dynamodb/table:Table", "rendezvous-staging-sessions").state.arn;
      const deliveries = run.one("aws:sqs/queue:Queue", "rendezvous-staging-deliveries").state.arn;
      expect(sorted(problems)).toEqual(
        sorted([
          ...knownUnused(run, "staging", "sessions"),
          `sessions: its policy does not allow dynamodb:DeleteItem on ${table} (sessionsTable, called locally on rendezvous-local-sessions): ImplicitlyDenied; grant it through sessionsTable:read or sessionsTable:write or sessionsTable:validate`,
          `sessions: its policy does not allow sqs:SendMessage on ${deliveries} (deliveriesQueue, called locally on ${queue}): ImplicitlyDenied; grant it through deliveriesQueue:send or deliveriesQueue:consume`,
        ]),
      );
    });

    it("fails a grant no recorded call uses, and a call on a resource no row of the table knows", async () => {
      const run = await sharedRun("staging", functions);
      const withoutUpdates = sessionsCalls.filter((c) => c.action !== "UpdateItem");
      const stray = { function: "sessions", service: "s3", action: "GetObject", resource: "some-bucket/key" };
      const table = run.one("aws:dynamodb/table:Table", "rendezvous-staging-sessions").state.arn;
      const problems = await permissionProblems(run, "staging", ["sessions"], [...withoutUpdates, stray]);
      expect(sorted(problems)).toEqual(
        sorted([
          ...knownUnused(run, "staging", "sessions"),
          "sessions: s3:GetObject on some-bucket/key: no logical resource knows it (infra/permissions/resources.ts)",
          `sessions: grants dynamodb:UpdateItem on ${table}, which no recorded call uses`,
        ]),
      );
    });

    it("names the resources the merged topology adds: DLQ, delivery-store alias, webhook URL parameter, db users", async () => {
      const run = await sharedRun("staging", functions);
      const arnOf = (local: string) => {
        const found = logicalResourceOf(local);
        return found && [found[0], found[1].arn(run, "staging", local)];
      };
      expect(arnOf("http://sqs.us-east-1.localhost:1/000000000000/rendezvous-local-deliveries-dlq")).toEqual([
        "deliveriesDeadLetters",
        run.one("aws:sqs/queue:Queue", "rendezvous-staging-deliveries-dlq").state.arn,
      ]);
      expect(arnOf("rendezvous_scheduling")).toEqual([
        "databaseUser",
        "arn:aws:rds-db:eu-west-1:123456789012:dbuser:db-ABCDEFGHIJKLMNOPQRSTUVWXY0/rendezvous_scheduling",
      ]);
      expect(arnOf("rendezvous-local-delivery-store")).toEqual([
        "deliveryStore",
        "arn:aws:lambda:eu-west-1:123456789012:function:rendezvous-staging-delivery-store:live",
      ]);
      expect(arnOf("/rendezvous/local/webhook-url")).toEqual([
        "webhookUrlParameter",
        run.one("aws:ssm/parameter:Parameter", "rendezvous-staging-webhook-url").state.arn,
      ]);
    });

    it("exempts only the Lambda service's own grants, each with its reason", () => {
      expect(PLATFORM_GRANTS.flatMap((g) => g.actions).sort()).toEqual([
        "ec2:AssignPrivateIpAddresses",
        "ec2:CreateNetworkInterface",
        "ec2:DeleteNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets",
        "ec2:UnassignPrivateIpAddresses",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "sqs:SendMessage",
        "xray:PutTelemetryRecords",
        "xray:PutTraceSegments",
      ]);
      for (const grant of PLATFORM_GRANTS) expect(grant.reason).toMatch(/Lambda/);
    });
  });

  describe("every function driven once on the local runtime", () => {
    let calls: RecordedCall[] = [];
    beforeAll(async () => {
      calls = (await recordLocalFlows()).calls;
    }, 240_000);

    it("recorded calls for every function of the manifest but the migrator, which calls no AWS API", () => {
      // The migrator gets the master credentials in its deploy-time payload and signs nothing: its role holds only
      // the Lambda service's own grants (logs, X-Ray, VPC network interfaces).
      expect([...new Set(calls.map((c) => c.function))].sort()).toEqual(names.filter((n) => n !== "migrator").sort());
    });

    it.each(["staging", "production"])("are exactly what the %s stack's policies grant", async (stage) => {
      const run = await sharedRun(stage, functions);
      expect(sorted(await permissionProblems(run, stage, names, calls))).toEqual(sorted(knownUnused(run, stage)));
    });
  });
});
