/**
 * The preflight: every check of this folder over every resource a mocked run recorded, each problem one sentence
 * naming the resource and the field, as `pulumi up` would have failed on it, only offline and before any deploy.
 */
import { arnProblems } from "./arns.ts";
import { actionProblems, policyDocumentProblems } from "./iam-actions.ts";
import { nameProblems } from "./names.ts";
import { problem } from "./rules.ts";
import { valueProblems } from "./values.ts";

export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  // biome-ignore lint/suspicious/noExplicitAny: resource inputs are free-form JSON
  readonly inputs: Record<string, any>;
  /** The inputs and what the mock answered for the rest (auto-names, ARNs). */
  // biome-ignore lint/suspicious/noExplicitAny: as above
  readonly state: Record<string, any>;
}

/** IAM's quota: a role's inline policies together, whitespace excluded. */
const INLINE_POLICIES_PER_ROLE = 10_240;

const parsed = (document: unknown): unknown => (typeof document === "string" ? JSON.parse(document) : document);

const iamProblems = async (where: string, resource: RecordedResource): Promise<string[]> => {
  switch (resource.type) {
    case "aws:iam/rolePolicy:RolePolicy":
    case "aws:iam/policy:Policy":
      return policyDocumentProblems(where, "policy", parsed(resource.inputs.policy));
    case "aws:iam/role:Role":
      if (resource.inputs.assumeRolePolicy === undefined) return [];
      return policyDocumentProblems(where, "assumeRolePolicy", parsed(resource.inputs.assumeRolePolicy));
    case "aws:lambda/permission:Permission":
      return actionProblems(where, "action", { Effect: "Allow", Action: resource.inputs.action });
    default:
      return [];
  }
};

const inlinePolicySizeProblems = (resources: readonly RecordedResource[]): string[] => {
  const byRole = new Map<string, number>();
  for (const r of resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy")) {
    const size = String(r.inputs.policy).replace(/\s/g, "").length;
    byRole.set(r.inputs.role, (byRole.get(r.inputs.role) ?? 0) + size);
  }
  return [...byRole]
    .filter(([, size]) => size > INLINE_POLICIES_PER_ROLE)
    .map(([role, size]) => problem(`aws:iam/role:Role ${role}`, "inline policies", `${size} characters, over 10,240`));
};

export const preflightProblems = async (resources: readonly RecordedResource[], region: string): Promise<string[]> => {
  const perResource = await Promise.all(
    resources
      .filter((r) => r.type.startsWith("aws:"))
      .map(async (r) => {
        const where = `${r.type} ${r.name}`;
        return [
          ...nameProblems(where, r.type, r.state),
          ...valueProblems(where, r.type, r.inputs),
          ...arnProblems(where, r.inputs, region),
          ...(await iamProblems(where, r)),
        ];
      }),
  );
  return [...perResource.flat(), ...inlinePolicySizeProblems(resources)];
};
