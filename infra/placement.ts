/**
 * Where a function runs on the network, decided from its manifest entry alone (docs/decisions/0007): in the VPC
 * exactly when it needs Postgres, and then in the security group of its kind. The VPC has no NAT gateway and no
 * interface endpoint: from inside it a function reaches Postgres, and DynamoDB through the (free) gateway
 * endpoint, and nothing else. Everything else (SQS, Secrets Manager, SSM, Lambda, the internet) is reached from
 * outside the VPC, directly.
 */
import { type FunctionSpec, inVpc } from "../apps/manifest.ts";
import { effectiveNeeds } from "./access.ts";

// The one rule for VPC placement is the manifest's: a function is in the VPC exactly when it needs Postgres.
export { inVpc };

const isPostgres = (need: string): boolean => need.startsWith("postgres:");
const isDynamo = (need: string): boolean => need.startsWith("sessionsTable:");

/**
 * The security group kinds, each with exactly the egress its functions use: `postgres` reaches the database on
 * 5432 only; `postgres-dynamodb` also reaches DynamoDB's prefix list on 443 (through the gateway endpoint).
 */
export const NETWORK_KINDS = ["postgres", "postgres-dynamodb"] as const;
export type NetworkKind = (typeof NETWORK_KINDS)[number];

/** The kind of an in-VPC function; `undefined` for a function outside the VPC. */
export const networkKindOf = (fn: Pick<FunctionSpec, "needs">): NetworkKind | undefined => {
  if (!inVpc(fn)) return undefined;
  return (fn.needs as readonly string[]).some(isDynamo) ? "postgres-dynamodb" : "postgres";
};

/** Settings whose value is an internet address the function calls (webhook receiver, OIDC key sets). */
const INTERNET_SETTINGS: readonly string[] = ["webhookUrl", "oidcProviders"];

/**
 * What an in-VPC function needs that the VPC cannot reach (no NAT, no interface endpoints), one sentence each;
 * empty for a function outside the VPC or one that needs only Postgres and DynamoDB.
 */
export const unreachableFromVpc = (fn: FunctionSpec): string[] => {
  if (!inVpc(fn)) return [];
  const needs = (effectiveNeeds(fn) as readonly string[]).filter((n) => !isPostgres(n) && !isDynamo(n));
  const settings = fn.settings.filter((s) => INTERNET_SETTINGS.includes(s));
  return [
    ...needs.map(
      (n) => `${fn.name}: is in the VPC (it needs Postgres) but needs ${n}, which only the internet reaches`,
    ),
    ...settings.map((s) => `${fn.name}: is in the VPC (it needs Postgres) but reads ${s}, an internet address`),
  ];
};
