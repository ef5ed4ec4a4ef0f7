import { randomBytes } from "node:crypto";
import { CreateQueueCommand, GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import postgres from "postgres";
import { afterAll, inject } from "vitest";
import { makeDynamoDocumentClient } from "../dynamodb/client.ts";
import { migrateDatabase } from "../postgres/migrate.ts";
import { makeSqsClient } from "../sqs/client.ts";

/**
 * Per-file isolation on the engines started by test-engines.global.ts. Each helper registers its own cleanup
 * with `afterAll`, so a test file only says what it needs.
 */

export const engines = () => inject("engines");
export const TEST_REGION = "us-east-1";

/** A name no other test file uses: `<prefix>_<8 hex>`. */
export const uniqueName = (prefix: string): string => `${prefix}_${randomBytes(4).toString("hex")}`;

const withDatabase = (url: string, name: string): string => {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
};

/** A new empty database for this file (migrated when asked), dropped after the file's tests. */
export const freshDatabase = async (options: { migrate?: boolean } = {}): Promise<string> => {
  const name = uniqueName("t");
  const admin = postgres(engines().postgresUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = withDatabase(engines().postgresUrl, name);
  if (options.migrate) await migrateDatabase(url);
  afterAll(async () => {
    const cleanup = postgres(engines().postgresUrl, { max: 1, onnotice: () => {} });
    await cleanup.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await cleanup.end();
  });
  return url;
};

/** A DynamoDB document client on the test dynalite. */
export const testDynamo = () => makeDynamoDocumentClient({ region: TEST_REGION, endpoint: engines().dynamoEndpoint });

/** An SQS client on the test fauxqs. */
export const testSqs = () => makeSqsClient({ region: TEST_REGION, endpoint: engines().sqsEndpoint });

export interface TestQueue {
  readonly url: string;
  readonly dlqUrl: string;
}

/** A queue with its dead-letter queue (redrive after `maxReceiveCount` receives), unique to this file. */
export const freshQueue = async (
  options: { maxReceiveCount?: number; visibilityTimeoutSeconds?: number } = {},
): Promise<TestQueue> => {
  const sqs = testSqs();
  const name = uniqueName("q");
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const dlqUrl = dlq.QueueUrl ?? "";
  const dlqArn = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ["QueueArn"] }));
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? 30),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlqArn.Attributes?.QueueArn,
          maxReceiveCount: options.maxReceiveCount ?? 5,
        }),
      },
    }),
  );
  return { url: queue.QueueUrl ?? "", dlqUrl };
};
