/** Reading recorded IAM policies and functions back out of a mocked run, for the infra tests. */
import type { Recorded, StackRun } from "./testing.ts";

export interface Statement {
  readonly Effect: string;
  readonly Action: string[];
  readonly Resource: string[];
}

export const statementsOf = (policy: Recorded): Statement[] => {
  const document = JSON.parse(policy.inputs.policy as string) as { Statement: Statement[] };
  return document.Statement;
};

/** Actions that AWS accepts only on `Resource: "*"`: X-Ray's puts and the EC2 describes Lambda needs for ENIs. */
export const STAR_ONLY_ACTIONS = new Set([
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "ec2:DescribeNetworkInterfaces",
  "ec2:DescribeSubnets",
]);

/** Every least-privilege rule a statement breaks, one sentence each. */
export const privilegeProblems = (policyName: string, statements: readonly Statement[]): string[] =>
  statements.flatMap((statement) => {
    const problems: string[] = [];
    if (statement.Effect !== "Allow") problems.push(`${policyName}: unexpected effect ${statement.Effect}`);
    for (const action of statement.Action) {
      if (action.includes("*")) problems.push(`${policyName}: wildcard action ${action}`);
    }
    for (const resource of statement.Resource) {
      if (!resource) problems.push(`${policyName}: empty resource for ${statement.Action.join(",")}`);
      if (resource === "*" && !statement.Action.every((action) => STAR_ONLY_ACTIONS.has(action))) {
        problems.push(`${policyName}: "*" resource for ${statement.Action.join(",")}`);
      }
    }
    return problems;
  });

export const rolePolicyOf = (run: StackRun, stage: string, fn: string): Statement[] =>
  statementsOf(run.one("aws:iam/rolePolicy:RolePolicy", `rendezvous-${stage}-${fn}`));

export const lambdaOf = (run: StackRun, stage: string, fn: string): Recorded =>
  run.one("aws:lambda/function:Function", `rendezvous-${stage}-${fn}`);
