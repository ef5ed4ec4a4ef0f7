import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import * as Effect from "effect/Effect";
import * as Base64Url from "effect/encoding/Base64Url";
import * as Layer from "effect/Layer";
import * as Result from "effect/Result";
import * as Schema from "effect/Schema";
import { idleExpiryOf, type SessionPolicyValues, type StoredSession } from "../../core/sessions/model.ts";
import { SessionStore } from "../../core/sessions/SessionStore.ts";
import { Conflict, DependencyUnavailable } from "../../core/shared/errors.ts";
import { SESSIONS_TABLE_LAYOUT as L } from "./sessions-table.ts";

/**
 * Sessions in one DynamoDB table. A session item is keyed by its public id and holds the SHA-256 of the secret
 * (never the secret), the user (the `by_user` index key), provider, device, times and a TTL in epoch seconds.
 * Per user there is one marker item `user#<id>` holding the revoke-all generation; it has no `user_id`, so it
 * stays out of the index, and no TTL, because generations must only ever grow.
 */
const DEPENDENCY = "sessions table";
const userKey = (userId: string) => `user#${userId}`;
const epochSeconds = (date: Date) => Math.ceil(date.getTime() / 1000);

const Instant = Schema.String.check(
  Schema.makeFilter((value: string) => !Number.isNaN(Date.parse(value)) || "expected an ISO-8601 instant"),
);
const SessionItem = Schema.Struct({
  pk: Schema.String,
  user_id: Schema.String,
  provider: Schema.String,
  device: Schema.optionalKey(Schema.String),
  secret_hash: Schema.String,
  created_at: Instant,
  last_seen_at: Instant,
  expires_at: Instant,
  revoked_at: Schema.optionalKey(Instant),
  generation: Schema.Int,
});
type SessionItem = typeof SessionItem.Type;
const decodeItem = Schema.decodeUnknownResult(SessionItem);

const fromItem = (raw: unknown): Effect.Effect<StoredSession, DependencyUnavailable> => {
  const decoded = decodeItem(raw, { onExcessProperty: "ignore" });
  const item = Result.isSuccess(decoded) ? decoded.success : undefined;
  const hash = item ? Base64Url.decode(item.secret_hash) : undefined;
  if (!item || !hash || Result.isFailure(hash)) {
    return Effect.fail(new DependencyUnavailable({ dependency: DEPENDENCY, cause: "malformed session item" }));
  }
  return Effect.succeed({
    id: item.pk,
    userId: item.user_id,
    provider: item.provider,
    device: item.device,
    secretHash: hash.success,
    createdAt: new Date(item.created_at),
    lastSeenAt: new Date(item.last_seen_at),
    expiresAt: new Date(item.expires_at),
    revokedAt: item.revoked_at === undefined ? undefined : new Date(item.revoked_at),
    generation: item.generation,
  });
};

const toItem = (session: StoredSession, policy: SessionPolicyValues): SessionItem & Record<string, unknown> => ({
  pk: session.id,
  user_id: session.userId,
  provider: session.provider,
  ...(session.device === undefined ? {} : { device: session.device }),
  secret_hash: Base64Url.encode(session.secretHash),
  created_at: session.createdAt.toISOString(),
  last_seen_at: session.lastSeenAt.toISOString(),
  expires_at: session.expiresAt.toISOString(),
  ...(session.revokedAt === undefined ? {} : { revoked_at: session.revokedAt.toISOString() }),
  generation: session.generation,
  [L.ttlAttribute]: epochSeconds(idleExpiryOf(session, policy)),
});

const isConditionFailure = (error: unknown) =>
  (error as { name?: string } | null)?.name === "ConditionalCheckFailedException";

/** One SDK call; a refused condition becomes `onCondition`'s value, anything else DependencyUnavailable. */
const call = <A>(run: () => Promise<A>, onCondition?: () => A): Effect.Effect<A, DependencyUnavailable> =>
  Effect.tryPromise({ try: run, catch: (cause) => cause }).pipe(
    Effect.catch((cause) =>
      onCondition && isConditionFailure(cause)
        ? Effect.succeed(onCondition())
        : Effect.fail(new DependencyUnavailable({ dependency: DEPENDENCY, cause })),
    ),
  );

export const makeDynamoSessionStore = (
  client: DynamoDBDocumentClient,
  tableName: string,
  options: { readonly pageSize?: number } = {},
): typeof SessionStore.Service => ({
  insert: (session, policy) =>
    call(
      () =>
        client
          .send(
            new PutCommand({
              TableName: tableName,
              Item: toItem(session, policy),
              ConditionExpression: "attribute_not_exists(pk)",
            }),
          )
          .then(() => true),
      () => false,
    ).pipe(
      Effect.flatMap((stored) =>
        stored ? Effect.void : Effect.fail(new Conflict({ message: `session ${session.id} already exists` })),
      ),
    ),

  get: (id) =>
    call(() => client.send(new GetCommand({ TableName: tableName, Key: { pk: id }, ConsistentRead: true }))).pipe(
      Effect.flatMap(({ Item }) => (Item?.user_id === undefined ? Effect.succeed(undefined) : fromItem(Item))),
    ),

  // Only forward, only live: a concurrent touch or revoke wins and this write is dropped (not an error).
  touch: (session, lastSeenAt, policy) =>
    call(
      () =>
        client
          .send(
            new UpdateCommand({
              TableName: tableName,
              Key: { pk: session.id },
              UpdateExpression: "SET last_seen_at = :now, #ttl = :ttl",
              ConditionExpression: "attribute_exists(pk) AND last_seen_at < :now AND attribute_not_exists(revoked_at)",
              ExpressionAttributeNames: { "#ttl": L.ttlAttribute },
              ExpressionAttributeValues: {
                ":now": lastSeenAt.toISOString(),
                ":ttl": epochSeconds(idleExpiryOf({ ...session, lastSeenAt }, policy)),
              },
            }),
          )
          .then(() => undefined),
      () => undefined,
    ),

  listByUser: (userId) =>
    call(async () => {
      const items: Record<string, unknown>[] = [];
      const pages = paginateQuery(
        { client, pageSize: options.pageSize ?? 100 },
        {
          TableName: tableName,
          IndexName: L.userIndex.name,
          KeyConditionExpression: "user_id = :user",
          ExpressionAttributeValues: { ":user": userId },
          ScanIndexForward: false,
        },
      );
      for await (const page of pages) items.push(...(page.Items ?? []));
      return items;
    }).pipe(Effect.flatMap((items) => Effect.forEach(items, fromItem))),

  revoke: (id, userId, at) =>
    call(
      () =>
        client
          .send(
            new UpdateCommand({
              TableName: tableName,
              Key: { pk: id },
              UpdateExpression: "SET revoked_at = :at",
              ConditionExpression: "attribute_exists(pk) AND user_id = :user AND attribute_not_exists(revoked_at)",
              ExpressionAttributeValues: { ":at": at.toISOString(), ":user": userId },
            }),
          )
          .then(() => true),
      () => false,
    ),

  revokedGeneration: (userId) =>
    call(() =>
      client.send(new GetCommand({ TableName: tableName, Key: { pk: userKey(userId) }, ConsistentRead: true })),
    ).pipe(Effect.map(({ Item }) => (typeof Item?.revoked_generation === "number" ? Item.revoked_generation : 0))),

  // ADD is atomic: two concurrent revoke-alls both bump, neither is lost.
  bumpRevokedGeneration: (userId, at) =>
    call(() =>
      client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: userKey(userId) },
          UpdateExpression: "ADD revoked_generation :one SET revoked_before = :at",
          ExpressionAttributeValues: { ":one": 1, ":at": at.toISOString() },
          ReturnValues: "ALL_NEW",
        }),
      ),
    ).pipe(Effect.map(({ Attributes }) => Number(Attributes?.revoked_generation ?? 0))),

  ping: call(() => client.send(new GetCommand({ TableName: tableName, Key: { pk: "health#probe" } }))).pipe(
    Effect.asVoid,
  ),
});

export const dynamoSessionStore = (client: DynamoDBDocumentClient, tableName: string): Layer.Layer<SessionStore> =>
  Layer.succeed(SessionStore, makeDynamoSessionStore(client, tableName));
