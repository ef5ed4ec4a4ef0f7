import { createHash } from "node:crypto";
import { PutCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import { beforeAll, describe, expect, it } from "vitest";
import { createSession } from "../../core/sessions/create.ts";
import { IdentityVerifier } from "../../core/sessions/IdentityVerifier.ts";
import { defaultSessionPolicy, parseToken } from "../../core/sessions/model.ts";
import { sessionPolicyLayer } from "../../core/sessions/SessionPolicy.ts";
import { SessionStore } from "../../core/sessions/SessionStore.ts";
import { validateSession } from "../../core/sessions/validate.ts";
import { TEST_REGION, testDynamo, uniqueName } from "../local-engines/testing.ts";
import { fixedClock } from "../memory/clock.ts";
import { nodeSecretHasher } from "../node/hasher.ts";
import { cryptoIds } from "../node/system.ts";
import { makeDynamoDocumentClient } from "./client.ts";
import { makeDynamoSessionStore } from "./sessions.ts";
import { sessionStoreContract } from "./sessions-contract.ts";
import { createSessionsTable, sessionsTableDefinition } from "./sessions-table.ts";

const client = testDynamo();
const dynamo = client;
const tableName = uniqueName("sessions");
beforeAll(async () => {
  await createSessionsTable(client, tableName);
  await createSessionsTable(client, tableName); // idempotent
});

sessionStoreContract("dynamodb (dynalite)", async () => makeDynamoSessionStore(dynamo, tableName));

const verifier = Layer.succeed(IdentityVerifier, {
  verify: ({ provider, idToken }) => Effect.succeed({ provider, subject: idToken }),
});
const layer = Layer.mergeAll(
  Layer.succeed(SessionStore, makeDynamoSessionStore(dynamo, tableName)),
  verifier,
  fixedClock("2026-11-23T10:00:00Z"),
  cryptoIds,
  nodeSecretHasher,
  sessionPolicyLayer(defaultSessionPolicy),
);

describe("the sessions table", () => {
  it("holds the SHA-256 of the secret and never the secret itself", async () => {
    const created = await Effect.runPromise(
      Effect.provide(createSession({ provider: "local", idToken: "raw-table-user" }), layer),
    );
    const secret = parseToken(created.token)?.secret ?? "";
    expect(secret.length).toBeGreaterThanOrEqual(22);
    const { Items = [] } = await client.send(new ScanCommand({ TableName: tableName }));
    const raw = JSON.stringify(Items);
    expect(raw).toContain(created.session.id);
    expect(raw).not.toContain(secret);
    expect(raw).not.toContain(created.token);
    const item = Items.find((i) => i.pk === created.session.id);
    expect(item?.secret_hash).toBe(createHash("sha256").update(secret).digest("base64url"));
    expect(item?.ttl).toBe(Math.ceil(Date.parse("2026-11-30T10:00:00Z") / 1000));
    const validation = await Effect.runPromise(Effect.provide(validateSession(created.token), layer));
    expect(validation.valid).toBe(true);
  });

  it("pages through a user's index entries", async () => {
    const store = makeDynamoSessionStore(dynamo, tableName, { pageSize: 2 });
    const user = uniqueName("paged");
    for (let i = 0; i < 5; i++) {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: `paged${String(i).padStart(11, "0")}${user.slice(-4)}`,
            user_id: user,
            provider: "local",
            secret_hash: "AAAA",
            created_at: `2026-11-23T10:00:0${i}.000Z`,
            last_seen_at: `2026-11-23T10:00:0${i}.000Z`,
            expires_at: "2026-12-23T10:00:00.000Z",
            generation: 0,
          },
        }),
      );
    }
    const listed = await Effect.runPromise(store.listByUser(user));
    expect(listed.map((s) => s.createdAt.getUTCSeconds())).toEqual([4, 3, 2, 1, 0]);
  });

  it("reports a malformed item as the table being unavailable, not as a session", async () => {
    await client.send(new PutCommand({ TableName: tableName, Item: { pk: "broken-item-01", user_id: "x" } }));
    const store = makeDynamoSessionStore(dynamo, tableName);
    const error = await Effect.runPromise(Effect.flip(store.get("broken-item-01")));
    expect(error._tag).toBe("DependencyUnavailable");
  });

  it("answers DependencyUnavailable when the table does not exist or DynamoDB cannot be reached", async () => {
    const missing = makeDynamoSessionStore(dynamo, "no_such_table");
    expect(await Effect.runPromise(Effect.flip(missing.ping))).toMatchObject({
      _tag: "DependencyUnavailable",
      dependency: "sessions table",
      cause: { name: "ResourceNotFoundException" },
    });
    const unreachable = makeDynamoDocumentClient({ region: TEST_REGION, endpoint: "http://127.0.0.1:9" });
    const down = makeDynamoSessionStore(unreachable, tableName);
    expect(await Effect.runPromise(Effect.flip(down.get("x")))).toMatchObject({
      _tag: "DependencyUnavailable",
      cause: { code: "ECONNREFUSED" },
    });
  });

  it("defines the table with the index and key infra creates", () => {
    const definition = sessionsTableDefinition("t");
    expect(definition.KeySchema).toEqual([{ AttributeName: "pk", KeyType: "HASH" }]);
    expect(definition.GlobalSecondaryIndexes?.[0]?.IndexName).toBe("by_user");
  });
});
