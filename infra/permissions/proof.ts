/**
 * Permissions proven complete and minimal: every AWS call a function made on the local runtime is allowed by the
 * role policy the program generates for it (evaluated by @cloud-copilot/iam-simulate, as IAM would), and every
 * action x resource the policy grants is used by some recorded call, except the Lambda service's own grants.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import type { StackRun } from "../testing.ts";
import { platformReason } from "./platform.ts";
import { logicalResourceOf } from "./resources.ts";

export interface RecordedCall {
  readonly function: string;
  readonly service: string;
  readonly action: string;
  readonly resource: string;
}

interface Statement {
  readonly Effect: string;
  readonly Action: string[];
  readonly Resource: string[];
}
interface Policy {
  readonly Version: string;
  readonly Statement: Statement[];
}

const globMatches = (pattern: string, value: string): boolean =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  ).test(value);

/** The role policy and role ARN of `fn` in the mocked stack. */
const roleOf = (run: StackRun, stage: string, fn: string): { policy: Policy; roleArn: string } | undefined => {
  const name = `rendezvous-${stage}-${fn}`;
  const policy = run.resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name === name);
  const role = run.resources.find((r) => r.type === "aws:iam/role:Role" && r.name === name);
  if (!policy || !role) return undefined;
  return { policy: JSON.parse(policy.inputs.policy), roleArn: role.state.arn };
};

const allows = async (policy: Policy, roleArn: string, action: string, arn: string): Promise<string | undefined> => {
  const account = roleArn.split(":")[4] ?? "";
  const answer = await runSimulation(
    {
      identityPolicies: [{ name: "role", policy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: { action, principal: roleArn, resource: { resource: arn, accountId: account }, contextVariables: {} },
    },
    {},
  );
  if (answer.resultType === "error") return `the simulator refused the request: ${JSON.stringify(answer.errors)}`;
  return answer.overallResult === "Allowed" ? undefined : answer.overallResult;
};

/** Every recorded call the policy does not allow, and every grant no call uses, one sentence each. */
export const permissionProblems = async (
  run: StackRun,
  stage: string,
  functionNames: readonly string[],
  calls: readonly RecordedCall[],
): Promise<string[]> => {
  const problems: string[] = [];
  for (const fn of functionNames) {
    const role = roleOf(run, stage, fn);
    if (!role) {
      problems.push(`${fn}: no role policy rendezvous-${stage}-${fn} in the ${stage} stack`);
      continue;
    }
    const used: Array<{ action: string; arn: string }> = [];
    for (const call of calls.filter((c) => c.function === fn)) {
      const action = `${call.service}:${call.action}`;
      const logical = logicalResourceOf(call.resource);
      const arn = logical?.[1].arn(run, stage, call.resource);
      if (!logical || !arn) {
        const why = logical ? `the ${stage} stack has no ${logical[0]}` : "no logical resource knows it";
        problems.push(`${fn}: ${action} on ${call.resource}: ${why} (infra/permissions/resources.ts)`);
        continue;
      }
      used.push({ action, arn });
      const denied = await allows(role.policy, role.roleArn, action, arn);
      if (denied) {
        problems.push(
          `${fn}: its policy does not allow ${action} on ${arn} (${logical[0]}, called locally on ${call.resource}): ${denied}; grant it through ${logical[1].needs.join(" or ")}`,
        );
      }
    }
    for (const statement of role.policy.Statement) {
      for (const action of statement.Action) {
        for (const resource of statement.Resource) {
          if (platformReason(action, resource)) continue;
          const usedBy = used.some(
            (u) => u.action.toLowerCase() === action.toLowerCase() && globMatches(resource, u.arn),
          );
          if (!usedBy) problems.push(`${fn}: grants ${action} on ${resource}, which no recorded call uses`);
        }
      }
    }
  }
  return problems;
};
