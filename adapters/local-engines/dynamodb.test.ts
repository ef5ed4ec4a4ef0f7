import { ConditionalCheckFailedException, CreateTableCommand } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { testDynamo, uniqueName } from "./testing.ts";

const dynamo = testDynamo();
const table = uniqueName("items");
await dynamo.send(
  new CreateTableCommand({
    TableName: table,
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
    BillingMode: "PAY_PER_REQUEST",
  }),
);

describe("dynalite", () => {
  it("refuses a conditional put on an existing key and keeps the first item", async () => {
    const putIfAbsent = (value: string) =>
      dynamo.send(
        new PutCommand({
          TableName: table,
          Item: { pk: "a", value },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
    await putIfAbsent("first");
    await expect(putIfAbsent("second")).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    const stored = await dynamo.send(new GetCommand({ TableName: table, Key: { pk: "a" } }));
    expect(stored.Item?.value).toBe("first");
  });
});
