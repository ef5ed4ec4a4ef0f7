/**
 * Every ARN the program sends to AWS, well formed: `arn:<partition>:<service>:<region>:<account>:<resource>`, with
 * the stack's region (none for global services) and a 12-digit account. Found anywhere in a resource's inputs,
 * including inside policy documents, which AWS refuses whole for one malformed ARN.
 */
import { problem } from "./rules.ts";

/** Services whose ARNs have no region (and S3's no account either). */
const GLOBAL_SERVICES = new Set(["iam", "s3", "cloudfront", "route53", "organizations", "sts"]);

export const arnProblem = (arn: string, region: string): string | undefined => {
  const parts = arn.split(":");
  if (parts.length < 6) return `${arn} has not the six parts arn:partition:service:region:account:resource`;
  const [, partition = "", service = "", arnRegion = "", account = "", ...rest] = parts;
  const resource = rest.join(":");
  if (!["aws", "aws-cn", "aws-us-gov"].includes(partition)) return `${arn}: unknown partition "${partition}"`;
  if (!/^[a-z0-9-]+$/.test(service)) return `${arn}: malformed service "${service}"`;
  if (GLOBAL_SERVICES.has(service)) {
    if (arnRegion !== "") return `${arn}: ${service} ARNs have no region`;
  } else if (arnRegion !== region && arnRegion !== "*") {
    return `${arn}: region "${arnRegion}" is not the stack's ${region}`;
  }
  if (service === "s3" ? account !== "" : !/^(\d{12}|\*)$/.test(account) && !(service === "iam" && account === "aws"))
    return `${arn}: account "${account}" is not 12 digits`;
  if (resource === "") return `${arn}: no resource`;
  return undefined;
};

/** Walks a value (JSON documents in strings included) and yields each ARN with the path it sits at. */
const arnsIn = function* (value: unknown, path: string): Generator<[string, string]> {
  if (typeof value === "string") {
    if (value.startsWith("arn:")) yield [path, value];
    else if (/^\s*[{[]/.test(value)) {
      try {
        yield* arnsIn(JSON.parse(value), path);
      } catch {
        // not JSON after all: a description or a template, nothing to check
      }
    }
  } else if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) yield* arnsIn(item, `${path}[${index}]`);
  } else if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value)) yield* arnsIn(item, path ? `${path}.${key}` : key);
  }
};

export const arnProblems = (where: string, inputs: Record<string, unknown>, region: string): string[] =>
  [...arnsIn(inputs, "")].flatMap(([path, arn]) => {
    const reason = arnProblem(arn, region);
    return reason ? [problem(where, path, reason)] : [];
  });
