import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateQueueCommand, GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import postgres from "postgres";
import { afterAll, inject } from "vitest";
import { makeDynamoDocumentClient } from "../dynamodb/client.ts";
import { migrateDatabase } from "../postgres/migrate.ts";
import { CAPABILITIES, type Capability, roleOf } from "../postgres/roles.ts";
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

/**
 * `url` as a capability's role (created and granted by the migration). The shared test server trusts every
 * role on 127.0.0.1, so no password: what a role may do is tested here, how it signs in by
 * apps/runtime/rotation.test.ts on a server of its own that asks for passwords.
 */
export const roleUrl = (url: string, capability: Capability): string => {
  const parsed = new URL(url);
  parsed.username = roleOf(capability);
  return parsed.toString();
};

/**
 * The environment a runtime function gets locally for the database `url`: DATABASE_URL, and a credential file
 * (its passwords unused by the trusting test server, but read as the local runtime's would be).
 */
export const runtimeDatabaseEnv = (url: string): { DATABASE_URL: string; LOCAL_DATABASE_CREDENTIALS: string } => {
  const file = join(mkdtempSync(join(tmpdir(), "rendezvous-credentials-")), "database-credentials.json");
  const passwords = Object.fromEntries(CAPABILITIES.map((c) => [roleOf(c), randomBytes(12).toString("hex")]));
  writeFileSync(file, JSON.stringify(passwords), { mode: 0o600 });
  return { DATABASE_URL: url, LOCAL_DATABASE_CREDENTIALS: file };
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
