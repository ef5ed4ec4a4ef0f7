/**
 * The environment a deployed function starts with, without deploying it: what Lambda itself sets, plus exactly what
 * infra/ writes for the function (access.ts `environmentFor`, from a stack file: its stage, log level and settings),
 * with the resources' names, ARNs and URLs made up. infra/bundle.suite.ts loads every bundle with it, so a handler
 * that reads a variable infra does not write fails in the tests instead of at its first cold start; bench/ times
 * imports with it.
 */
import { type FunctionSpec, memoryOf } from "../apps/manifest.ts";
import { environmentFor, type SharedResources } from "./access.ts";
import { parseStackConfig } from "./config.ts";
import { ACCOUNT, REGION, stackConfig } from "./stack-files.ts";

const placeholders = (prefix: string): SharedResources => ({
  database: {
    address: `${prefix}.cluster-placeholder.${REGION}.rds.amazonaws.com`,
    port: "5432",
    name: "rendezvous",
    dbUserArnPrefix: `arn:aws:rds-db:${REGION}:${ACCOUNT}:dbuser:db-PLACEHOLDER0000000000000000`,
  },
  sessionsTable: {
    name: `${prefix}-sessions`,
    arn: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${prefix}-sessions`,
    indexArn: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${prefix}-sessions/index/by_user`,
  },
  deliveriesQueue: {
    url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${prefix}-deliveries`,
    arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${prefix}-deliveries`,
  },
  deliveriesDeadLetters: {
    url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${prefix}-deliveries-dlq`,
    arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${prefix}-deliveries-dlq`,
  },
  webhookSecretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${prefix}-webhook-AbCdEf`,
  webhookUrlParameter: {
    name: `/rendezvous/${prefix.replace(/^rendezvous-/, "")}/webhook-url`,
    arn: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/rendezvous/${prefix.replace(/^rendezvous-/, "")}/webhook-url`,
  },
  deliveryStore: { aliasArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${prefix}-delivery-store:live` },
});

/** `fn`'s environment in `stage` (a stack file's name), as plain strings. */
export const lambdaEnvironment = (fn: FunctionSpec, stage = "staging"): Record<string, string> => {
  const prefix = `rendezvous-${stage}`;
  const config = parseStackConfig(stage, stackConfig(stage));
  const written = environmentFor(fn, placeholders(prefix), config) as Record<string, string>;
  return {
    // Lambda's own: the region, the role's temporary credentials, the function's identity, UTC.
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: "ASIAPLACEHOLDER000000",
    AWS_SECRET_ACCESS_KEY: "placeholder-secret-access-key",
    AWS_SESSION_TOKEN: "placeholder-session-token",
    AWS_LAMBDA_FUNCTION_NAME: `${prefix}-${fn.name}`,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryOf(fn, config.lambdaMemoryMb)),
    TZ: ":UTC",
    ...written,
  };
};
