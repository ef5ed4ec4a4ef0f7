/**
 * The one table between a call recorded on the local runtime and the stack: each logical resource a need points
 * at, how a local call names it, and its ARN in a mocked stack run. Adding a need that touches a new resource is
 * one row here. A row whose resource the stack does not hold yet answers no ARN, and a call on it then fails.
 */
import type { Recorded, StackRun } from "../testing.ts";

export interface LogicalResource {
  /** The manifest needs that grant access to it (for the failure message). */
  readonly needs: readonly string[];
  /** Whether a recorded call's resource (a local table name, queue URL, variable, ...) is this one. */
  readonly local: (resource: string) => boolean;
  /** Its ARN in the stack `rendezvous-<stage>`, given the local name (a database user names itself). */
  readonly arn: (run: StackRun, stage: string, local: string) => string | undefined;
}

const find = (run: StackRun, type: string, name: string): Recorded | undefined =>
  run.resources.find((r) => r.type === type && r.name === name);
const stateOf = (run: StackRun, type: string, name: string, field = "arn"): string | undefined =>
  find(run, type, name)?.state[field];

export const LOGICAL_RESOURCES: Record<string, LogicalResource> = {
  sessionsTable: {
    needs: ["sessionsTable:read", "sessionsTable:write", "sessionsTable:validate"],
    local: (r) => r === "rendezvous-local-sessions",
    arn: (run, stage) => stateOf(run, "aws:dynamodb/table:Table", `rendezvous-${stage}-sessions`),
  },
  sessionsUserIndex: {
    needs: ["sessionsTable:read"],
    local: (r) => r === "rendezvous-local-sessions/index/by_user",
    arn: (run, stage) => {
      const table = stateOf(run, "aws:dynamodb/table:Table", `rendezvous-${stage}-sessions`);
      return table && `${table}/index/by_user`;
    },
  },
  deliveriesQueue: {
    needs: ["deliveriesQueue:send", "deliveriesQueue:consume"],
    local: (r) => r.endsWith("/rendezvous-local-deliveries"),
    arn: (run, stage) => stateOf(run, "aws:sqs/queue:Queue", `rendezvous-${stage}-deliveries`),
  },
  deliveriesDeadLetters: {
    needs: ["deliveriesDeadLetters:send"],
    local: (r) => r.endsWith("/rendezvous-local-deliveries-dlq"),
    arn: (run, stage) => stateOf(run, "aws:sqs/queue:Queue", `rendezvous-${stage}-deliveries-dlq`),
  },
  webhookSecret: {
    needs: ["webhookSecret:read"],
    local: (r) => r === "WEBHOOK_SECRET_ARN",
    arn: (run, stage) => stateOf(run, "aws:secretsmanager/secret:Secret", `rendezvous-${stage}-webhook`),
  },
  deliveryStore: {
    needs: ["deliveryStore:invoke"],
    local: (r) => /delivery-store(:live)?$/.test(r),
    arn: (run, stage) => {
      const alias = run.ofType("aws:lambda/alias:Alias").find((a) => /delivery-store/.test(a.name));
      const fn = stateOf(run, "aws:lambda/function:Function", `rendezvous-${stage}-delivery-store`);
      return alias?.state.arn ?? (fn && `${fn}:live`);
    },
  },
  webhookUrlParameter: {
    needs: ["webhookUrl:read"],
    local: (r) => /webhook-url$/.test(r) || r === "WEBHOOK_URL_PARAMETER",
    arn: (run) =>
      run.ofType("aws:ssm/parameter:Parameter").find((p) => /webhook-url/.test(`${p.name} ${p.state.name}`))?.state.arn,
  },
  databaseUser: {
    needs: ["postgres:scheduling", "postgres:matching"],
    local: (r) => /^rendezvous_[a-z]+$/.test(r),
    arn: (run, stage, user) => {
      const db = find(run, "aws:rds/instance:Instance", `rendezvous-${stage}`)?.state;
      return db && `arn:aws:rds-db:${db.arn.split(":")[3]}:${db.arn.split(":")[4]}:dbuser:${db.resourceId}/${user}`;
    },
  },
};

/** The logical resource a recorded call names, or undefined when no row knows it. */
export const logicalResourceOf = (resource: string): [string, LogicalResource] | undefined =>
  Object.entries(LOGICAL_RESOURCES).find(([, row]) => row.local(resource));
