/**
 * What every function shares: the network, the database, the sessions table, the deliveries queue, the webhook
 * secret and the dead-letter queues, sized from the stack config and from what the manifest's functions need.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type FunctionSpec, timeoutOf } from "../apps/manifest.ts";
import type { SharedResources } from "./access.ts";
import { Database } from "./components/Database.ts";
import { DeliveriesQueue } from "./components/DeliveriesQueue.ts";
import { FailureQueue } from "./components/FailureQueue.ts";
import type { FunctionVpc } from "./components/LambdaFunction.ts";
import { Network } from "./components/Network.ts";
import { SecurityGroups } from "./components/SecurityGroups.ts";
import { SessionsTable } from "./components/SessionsTable.ts";
import { WebhookSecret } from "./components/WebhookSecret.ts";
import { WebhookUrlParameter } from "./components/WebhookUrlParameter.ts";
import type { StackConfig } from "./config.ts";
import { type NetworkKind, networkKindOf } from "./placement.ts";

export const createShared = (prefix: string, config: StackConfig, functions: readonly FunctionSpec[]) => {
  const protect = config.deletionProtection;
  const region = aws.getRegionOutput().region;
  const account = aws.getCallerIdentityOutput().accountId;
  const partition = aws.getPartitionOutput().partition;

  // The kinds of in-VPC function (docs/decisions/0007): one security group each, and DynamoDB's gateway endpoint
  // only when a kind calls it.
  const kinds = [...new Set(functions.flatMap((fn) => networkKindOf(fn) ?? []))].sort();
  // Named, not looked up: the first two AZs of a lookup can change, and moving a subnet replaces the database's
  // subnet group. Every region has an "a" and a "b".
  const awsRegion = aws.config.region;
  if (!awsRegion) throw new Error("aws:region: required, the region the stack deploys to");
  const network = new Network(prefix, {
    availabilityZones: [`${awsRegion}a`, `${awsRegion}b`],
    dynamodbEndpoint: kinds.includes("postgres-dynamodb"),
  });
  const groups = new SecurityGroups(prefix, {
    vpcId: network.vpcId,
    kinds,
    ...(network.dynamodbPrefixListId ? { dynamodbPrefixListId: network.dynamodbPrefixListId } : {}),
  });
  const database = new Database(prefix, {
    subnetIds: network.privateSubnetIds,
    securityGroupId: groups.databaseGroupId,
    instanceClass: config.dbInstanceClass,
    allocatedStorageGb: config.dbAllocatedStorageGb,
    multiAz: config.dbMultiAz,
    backupRetentionDays: config.dbBackupRetentionDays,
    protect,
  });
  const sessionsTable = new SessionsTable(`${prefix}-sessions`, {
    billing: config.dynamoBilling,
    capacity: config.dynamoCapacity,
    pointInTimeRecovery: config.pointInTimeRecovery,
    protect,
  });
  const consumers = functions.filter((fn) => fn.triggers.some((t) => t.kind === "queue"));
  const deliveries = new DeliveriesQueue(`${prefix}-deliveries`, {
    consumerTimeoutSeconds: Math.max(10, ...consumers.map(timeoutOf)),
  });
  const webhookSecret = new WebhookSecret(`${prefix}-webhook`, { recoveryWindowDays: protect ? 7 : 0 });
  const webhookUrl = functions.some((fn) => fn.needs.includes("webhookUrl:read"))
    ? new WebhookUrlParameter(`${prefix}-webhook-url`, { stage: config.stage, value: config.settings.webhookUrl ?? "" })
    : undefined;
  const scheduleDlq = new FailureQueue(`${prefix}-schedules-dlq`, { purpose: "undelivered schedule ticks" });
  const asyncDlq = new FailureQueue(`${prefix}-async-dlq`, { purpose: "failed asynchronous invocations" });

  const shared: SharedResources = {
    database: {
      address: database.address,
      port: database.port.apply(String),
      name: database.databaseName,
      dbUserArnPrefix: pulumi.interpolate`arn:${partition}:rds-db:${region}:${account}:dbuser:${database.resourceId}`,
    },
    sessionsTable,
    deliveriesQueue: deliveries,
    deliveriesDeadLetters: { url: deliveries.dlqUrl, arn: deliveries.dlqArn },
    webhookSecretArn: webhookSecret.arn,
    ...(webhookUrl ? { webhookUrlParameter: { name: webhookUrl.name, arn: webhookUrl.arn } } : {}),
  };
  /** The VPC placement of a function of `kind`: its group, and the rules and endpoint it must not run before. */
  const vpcFor = (kind: NetworkKind): FunctionVpc => {
    const group = groups.functionGroups[kind];
    if (!group) throw new Error(`no security group for the ${kind} functions`);
    return {
      subnetIds: network.privateSubnetIds,
      subnetArns: network.privateSubnetArns,
      securityGroupId: group.id,
      securityGroupArn: group.arn,
      networkInterfacesArn: pulumi.interpolate`arn:${partition}:ec2:${region}:${account}:network-interface/*`,
      egress: [...group.rules, ...(kind === "postgres-dynamodb" ? network.egress : [])],
    };
  };
  return { region, network, database, sessionsTable, deliveries, webhookSecret, scheduleDlq, asyncDlq, shared, vpcFor };
};
