import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
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
import { withDependencySpans } from "../dependency-spans.ts";
import { SESSIONS_TABLE_LAYOUT as L } from "./sessions-layout.ts";

/**
 * Sessions in one DynamoDB table. A session item is keyed by its public id and holds the SHA-256 of the secret
 * (never the secret), the user (the `by_user` index key), provider, device, times and a TTL in epoch seconds.
 * Per user there is one marker item `user#<id>` holding the revoke-all generation; it has no `user_id`, so it
 * stays out of the index, and no TTL, because generations must only ever grow. Requests go through the AWS SDK's
 * document client (`makeDynamoDocumentClient`): plain values in and out, the SDK's retries and credential chain.
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

const toItem = (session: StoredSession, policy: SessionPolicyValues) => ({
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

export interface DynamoSessionStoreOptions {
  /** Index entries per Query page. @default 100 */
  readonly pageSize?: number;
}

/** A refused condition: the write did not happen because the item was not in the state the write required. */
const isConditionRefused = (cause: unknown) =>
  (cause as { name?: unknown } | null)?.name === "ConditionalCheckFailedException";

export const makeDynamoSessionStore = (
  dynamo: DynamoDBDocumentClient,
  tableName: string,
  options: DynamoSessionStoreOptions = {},
): typeof SessionStore.Service => {
  const call = <A>(request: () => Promise<A>) => Effect.tryPromise({ try: request, catch: (cause) => cause });
  /** One request; any failure is DependencyUnavailable. */
  const send = <A>(request: () => Promise<A>) =>
    call(request).pipe(
      Effect.catch((cause) => Effect.fail(new DependencyUnavailable({ dependency: DEPENDENCY, cause }))),
    );
  /** One conditional write; a refused condition becomes `false`, any other failure DependencyUnavailable. */
  const conditional = (command: PutCommand | UpdateCommand) =>
    // send() is overloaded per command class: one call per class keeps both typed.
    call(() => (command instanceof PutCommand ? dynamo.send(command) : dynamo.send(command))).pipe(
      Effect.as(true),
      Effect.catch((cause) =>
        isConditionRefused(cause)
          ? Effect.succeed(false)
          : Effect.fail(new DependencyUnavailable({ dependency: DEPENDENCY, cause })),
      ),
    );
  const getItem = (pk: string, consistent = true) =>
    send(() => dynamo.send(new GetCommand({ TableName: tableName, Key: { pk }, ConsistentRead: consistent }))).pipe(
      Effect.map((answer) => answer.Item),
    );

  return {
    insert: (session, policy) =>
      conditional(
        new PutCommand({
          TableName: tableName,
          Item: toItem(session, policy),
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      ).pipe(
        Effect.flatMap((stored) =>
          stored ? Effect.void : Effect.fail(new Conflict({ message: `session ${session.id} already exists` })),
        ),
      ),

    get: (id) =>
      getItem(id).pipe(
        Effect.flatMap((item) => (item && item.user_id !== undefined ? fromItem(item) : Effect.succeed(undefined))),
      ),

    // Only forward, only unrevoked: a concurrent touch or revoke wins and this write is dropped (not an error).
    touch: (session, lastSeenAt, policy) =>
      conditional(
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
      ).pipe(Effect.asVoid),

    listByUser: (userId) =>
      Effect.gen(function* () {
        const items: unknown[] = [];
        let start: Record<string, unknown> | undefined;
        do {
          const page = yield* send(() =>
            dynamo.send(
              new QueryCommand({
                TableName: tableName,
                IndexName: L.userIndex.name,
                KeyConditionExpression: "user_id = :user",
                ExpressionAttributeValues: { ":user": userId },
                ScanIndexForward: false,
                Limit: options.pageSize ?? 100,
                ...(start ? { ExclusiveStartKey: start } : {}),
              }),
            ),
          );
          items.push(...(page.Items ?? []));
          start = page.LastEvaluatedKey;
        } while (start);
        return yield* Effect.forEach(items, fromItem);
      }),

    revoke: (id, userId, at) =>
      conditional(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: id },
          UpdateExpression: "SET revoked_at = :at",
          ConditionExpression: "attribute_exists(pk) AND user_id = :user AND attribute_not_exists(revoked_at)",
          ExpressionAttributeValues: { ":at": at.toISOString(), ":user": userId },
        }),
      ),

    revokedGeneration: (userId) =>
      getItem(userKey(userId)).pipe(
        Effect.map((item) => {
          const generation = item?.revoked_generation;
          return typeof generation === "number" ? generation : 0;
        }),
      ),

    // ADD is atomic: two concurrent revoke-alls both bump, neither is lost.
    bumpRevokedGeneration: (userId, at) =>
      send(() =>
        dynamo.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: userKey(userId) },
            UpdateExpression: "ADD revoked_generation :one SET revoked_before = :at",
            ExpressionAttributeValues: { ":one": 1, ":at": at.toISOString() },
            ReturnValues: "ALL_NEW",
          }),
        ),
      ).pipe(Effect.map((answer) => Number(answer.Attributes?.revoked_generation ?? 0))),

    ping: getItem("health#probe", false).pipe(Effect.asVoid),
  };
};

export const dynamoSessionStore = (
  dynamo: DynamoDBDocumentClient,
  tableName: string,
  options?: DynamoSessionStoreOptions,
): Layer.Layer<SessionStore> =>
  Layer.succeed(
    SessionStore,
    withDependencySpans("dynamodb.sessions", makeDynamoSessionStore(dynamo, tableName, options), {
      listByUser: (userId) => ({ user_id: userId }),
      revoke: (_id, userId) => ({ user_id: userId }),
      revokedGeneration: (userId) => ({ user_id: userId }),
      bumpRevokedGeneration: (userId) => ({ user_id: userId }),
    }),
  );
