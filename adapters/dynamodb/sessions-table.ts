import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

import { SESSIONS_TABLE_LAYOUT, type SessionsTableLayout } from "./sessions-layout.ts";

export { SESSIONS_TABLE_LAYOUT, type SessionsTableLayout };

/**
 * CreateTable input as infra/ creates the table: on-demand, string keys, the user index projecting everything
 * (listing needs no second read). TTL is enabled by infra/ (UpdateTimeToLive, which dynalite lacks); the `ttl`
 * attribute is written regardless.
 */
export const sessionsTableDefinition = (
  tableName: string,
  layout: SessionsTableLayout = SESSIONS_TABLE_LAYOUT,
): CreateTableCommandInput => ({
  TableName: tableName,
  BillingMode: "PAY_PER_REQUEST",
  AttributeDefinitions: [
    { AttributeName: layout.partitionKey, AttributeType: "S" },
    { AttributeName: layout.userIndex.partitionKey, AttributeType: "S" },
    { AttributeName: layout.userIndex.sortKey, AttributeType: "S" },
  ],
  KeySchema: [{ AttributeName: layout.partitionKey, KeyType: "HASH" }],
  GlobalSecondaryIndexes: [
    {
      IndexName: layout.userIndex.name,
      KeySchema: [
        { AttributeName: layout.userIndex.partitionKey, KeyType: "HASH" },
        { AttributeName: layout.userIndex.sortKey, KeyType: "RANGE" },
      ],
      Projection: { ProjectionType: "ALL" },
    },
  ],
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Creates the sessions table (tests, the local runtime) and waits until it and its index are ACTIVE.
 * Idempotent: an existing table is left as it is.
 */
export const createSessionsTable = async (
  client: DynamoDBClient | DynamoDBDocumentClient,
  tableName: string,
  layout: SessionsTableLayout = SESSIONS_TABLE_LAYOUT,
): Promise<void> => {
  // A document client passes control-plane commands through unchanged; only its typings are narrower.
  const base = client as DynamoDBClient;
  try {
    await base.send(new CreateTableCommand(sessionsTableDefinition(tableName, layout)));
  } catch (error) {
    if ((error as { name?: string }).name !== "ResourceInUseException") throw error;
  }
  for (let attempt = 0; attempt < 200; attempt++) {
    const { Table } = await base.send(new DescribeTableCommand({ TableName: tableName }));
    const indexesReady = (Table?.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === "ACTIVE");
    if (Table?.TableStatus === "ACTIVE" && indexesReady) return;
    await sleep(Math.min(25 * 2 ** attempt, 1000));
  }
  throw new Error(`table ${tableName} did not become ACTIVE`);
};
