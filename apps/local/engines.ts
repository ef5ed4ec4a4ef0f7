import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import postgres from "postgres";
import { makeDynamoDocumentClient } from "../../adapters/dynamodb/client.ts";
import { createSessionsTable } from "../../adapters/dynamodb/sessions-table.ts";
import { startDynamo } from "../../adapters/local-engines/dynamodb.ts";
import { startPostgres } from "../../adapters/local-engines/postgres.ts";
import { startSqs } from "../../adapters/local-engines/sqs.ts";
import { makeSqsClient } from "../../adapters/sqs/client.ts";
import { DELIVERIES_QUEUE } from "../manifest.ts";

/**
 * The local engines and the resources the Pulumi program would create in them: PostgreSQL (data kept where
 * ./data-dir.ts says; the migrator function applies the migrations, as on a deploy), dynalite (kept under the data
 * dir) with the sessions table, and fauxqs with the deliveries queue and its dead-letter queue. fauxqs keeps queues
 * in memory only: messages in flight when the runtime stops are lost, and the scheduler's recovery re-queues every
 * delivery queued before the new queue was created (LOCAL_QUEUE_STARTED_AT, apps/local/env.ts).
 */
export interface EnginePorts {
  readonly postgres: number;
  readonly dynamodb: number;
  readonly sqs: number;
}

export interface Engines {
  readonly databaseUrl: string;
  readonly dynamoEndpoint: string;
  readonly sqsEndpoint: string;
  readonly sqs: SQSClient;
  readonly sessionsTableName: string;
  readonly queue: { readonly url: string; readonly arn: string; readonly dlqUrl: string; readonly dlqArn: string };
  stop(): Promise<void>;
}

export const DATABASE_NAME = "rendezvous";
export const RESOURCE_PREFIX = "rendezvous-local";

const ensureDatabase = async (serverUrl: string): Promise<string> => {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    const found = await admin`SELECT 1 FROM pg_database WHERE datname = ${DATABASE_NAME}`;
    if (found.length === 0) await admin.unsafe(`CREATE DATABASE "${DATABASE_NAME}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${DATABASE_NAME}`;
  return url.toString();
};

/** The sessions table, by the sessions adapter's own definition (the one infra/ mirrors). */
const ensureSessionsTable = async (endpoint: string, region: string, tableName: string): Promise<void> => {
  const client = makeDynamoDocumentClient({ region, endpoint });
  try {
    await createSessionsTable(client, tableName);
  } finally {
    client.destroy();
  }
};

const createQueue = async (sqs: SQSClient, name: string, attributes: Record<string, string>) => {
  const created = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const url = created.QueueUrl ?? "";
  const described = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }));
  return { url, arn: described.Attributes?.QueueArn ?? "" };
};

/** The deliveries queue and its DLQ, as infra/components/DeliveriesQueue.ts creates them. */
const createDeliveriesQueues = async (sqs: SQSClient, consumerTimeoutSeconds: number) => {
  const retention = String(DELIVERIES_QUEUE.retentionSeconds);
  const dlq = await createQueue(sqs, `${RESOURCE_PREFIX}-deliveries-dlq`, { MessageRetentionPeriod: retention });
  const queue = await createQueue(sqs, `${RESOURCE_PREFIX}-deliveries`, {
    MessageRetentionPeriod: retention,
    VisibilityTimeout: String(consumerTimeoutSeconds * DELIVERIES_QUEUE.visibilityTimeoutFactor),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: DELIVERIES_QUEUE.maxReceiveCount }),
  });
  return { url: queue.url, arn: queue.arn, dlqUrl: dlq.url, dlqArn: dlq.arn };
};

export const startEngines = async (options: {
  dataDir: string;
  /** PostgreSQL's cluster (./data-dir.ts says where). */
  postgresDir: string;
  ports: EnginePorts;
  region: string;
  ephemeral: boolean;
  consumerTimeoutSeconds: number;
}): Promise<Engines> => {
  const dynamoPath = join(options.dataDir, "dynamodb");
  mkdirSync(dynamoPath, { recursive: true });
  const started = await Promise.allSettled([
    startPostgres({
      dataDir: options.postgresDir,
      port: options.ports.postgres,
      ephemeral: options.ephemeral,
      reuseInitdb: true,
      passwordAuth: true, // the capability roles sign in with their passwords, as on RDS with their tokens
    }),
    startDynamo({ port: options.ports.dynamodb, path: dynamoPath }),
    startSqs({ port: options.ports.sqs }),
  ] as const);
  const [pg, dynamo, fauxqs] = started;
  if (pg.status === "rejected" || dynamo.status === "rejected" || fauxqs.status === "rejected") {
    await Promise.all(started.map((engine) => (engine.status === "fulfilled" ? engine.value.stop() : undefined)));
    const failure = started.find((engine) => engine.status === "rejected") as PromiseRejectedResult;
    throw failure.reason;
  }
  const stopAll = async () => {
    await Promise.all([pg.value.stop(), dynamo.value.stop(), fauxqs.value.stop()]);
  };
  try {
    const sqs = makeSqsClient({ region: options.region, endpoint: fauxqs.value.endpoint });
    const sessionsTableName = `${RESOURCE_PREFIX}-sessions`;
    const [databaseUrl, , queue] = await Promise.all([
      ensureDatabase(pg.value.url),
      ensureSessionsTable(dynamo.value.endpoint, options.region, sessionsTableName),
      createDeliveriesQueues(sqs, options.consumerTimeoutSeconds),
    ]);
    return {
      databaseUrl,
      dynamoEndpoint: dynamo.value.endpoint,
      sqsEndpoint: fauxqs.value.endpoint,
      sqs,
      sessionsTableName,
      queue,
      stop: async () => {
        sqs.destroy();
        await stopAll();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
};
