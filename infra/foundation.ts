/**
 * What every function shares: the network, the database, the sessions table, the deliveries queue, the webhook
 * secret and the dead-letter queues, sized from the stack config and from what the manifest's functions need.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type FunctionSpec, timeoutOf } from "../apps/manifest.ts";
import { callsInternet, effectiveNeeds, type SharedResources, usesPostgres } from "./access.ts";
import { Database } from "./components/Database.ts";
import { DeliveriesQueue } from "./components/DeliveriesQueue.ts";
import { FailureQueue } from "./components/FailureQueue.ts";
import type { FunctionVpc } from "./components/LambdaFunction.ts";
import { Network } from "./components/Network.ts";
import { SessionsTable } from "./components/SessionsTable.ts";
import { WebhookSecret } from "./components/WebhookSecret.ts";
import { WebhookUrlParameter } from "./components/WebhookUrlParameter.ts";
import type { StackConfig } from "./config.ts";

export const createShared = (prefix: string, config: StackConfig, functions: readonly FunctionSpec[]) => {
  const protect = config.deletionProtection;
  const region = aws.getRegionOutput().region;
  const account = aws.getCallerIdentityOutput().accountId;
  const partition = aws.getPartitionOutput().partition;

  const inVpc = functions.filter(usesPostgres);
  const vpcNeeds = new Set(inVpc.flatMap(effectiveNeeds));
  const network = new Network(prefix, {
    interfaceEndpoints: [
      "secretsmanager",
      ...(vpcNeeds.has("deliveriesQueue:send") || vpcNeeds.has("deliveriesQueue:consume") ? ["sqs"] : []),
    ],
    gatewayEndpoints: vpcNeeds.has("sessionsTable:read") || vpcNeeds.has("sessionsTable:write") ? ["dynamodb"] : [],
    natGateways: inVpc.some(callsInternet) ? config.natGateways : 0,
  });
  const database = new Database(prefix, {
    vpcId: network.vpcId,
    subnetIds: network.privateSubnetIds,
    clientSecurityGroupId: network.functionSecurityGroupId,
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
  const vpc: FunctionVpc = {
    subnetIds: network.privateSubnetIds,
    subnetArns: network.privateSubnetArns,
    securityGroupId: network.functionSecurityGroupId,
    securityGroupArn: network.functionSecurityGroupArn,
    networkInterfacesArn: pulumi.interpolate`arn:${partition}:ec2:${region}:${account}:network-interface/*`,
    egress: network.egress,
  };
  return { region, network, database, sessionsTable, deliveries, webhookSecret, scheduleDlq, asyncDlq, shared, vpc };
};
