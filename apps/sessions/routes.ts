import * as Effect from "effect/Effect";
import type * as Layer from "effect/Layer";
import type * as ManagedRuntime from "effect/ManagedRuntime";
import * as Schema from "effect/Schema";
import { createSession } from "../../core/sessions/create.ts";
import { listSessions, revokeAllSessions, revokeSession } from "../../core/sessions/manage.ts";
import { SessionStore } from "../../core/sessions/SessionStore.ts";
import { validateSession } from "../../core/sessions/validate.ts";
import { decodeInput, SingleLineText, StorableText, toIsoUtc } from "../../core/shared/schema.ts";
import { requireUser } from "../http/auth.ts";
import { makeHttpHandler } from "../http/handler.ts";
import { json, noContent, type Route, route } from "../http/router.ts";
import type { Logger } from "../observe/log.ts";
import type { sessionsLayerFromEnv } from "../runtime/sessions.ts";
import { measureSignIn, recordRevoked, recordValidation } from "./measure.ts";

type Services = Layer.Success<ReturnType<typeof sessionsLayerFromEnv>>;

const Text = (max: number) => StorableText.check(Schema.isMinLength(1), Schema.isMaxLength(max));

const CreateBody = Schema.Struct({
  provider: Text(64),
  id_token: Text(16 * 1024),
  device: Schema.optionalKey(Schema.NullOr(SingleLineText.check(Schema.isMaxLength(200)))),
  user_id: Schema.optionalKey(Text(255)),
  // Accepted for compatibility with the old clients; never stored, never logged.
  oauth_tokens: Schema.optionalKey(Schema.Unknown),
  user_info: Schema.optionalKey(Schema.Unknown),
});

const ValidateBody = Schema.Struct({ session_id: Text(1024) });

/** The sessions function's routes (API.md, "sessions"): decode, run one use case, encode. */
const routes: Route<Services>[] = [
  route("POST", "/auth/session", (request) =>
    Effect.gen(function* () {
      const body = yield* decodeInput(CreateBody)(request.body);
      const created = yield* measureSignIn(
        createSession({
          provider: body.provider,
          idToken: body.id_token,
          device: body.device ?? undefined,
          userId: body.user_id,
        }),
      );
      request.annotate({ user_id: created.session.userId });
      return json(201, {
        session_id: created.token,
        user_id: created.session.userId,
        provider: created.session.provider,
        created_at: toIsoUtc(created.session.createdAt),
        expires_at: toIsoUtc(created.session.expiresAt),
        idle_expires_at: toIsoUtc(created.idleExpiresAt),
      });
    }),
  ),
  route("POST", "/auth/validate", (request) =>
    Effect.gen(function* () {
      const body = yield* decodeInput(ValidateBody)(request.body);
      const result = yield* validateSession(body.session_id);
      recordValidation(result.valid ? "valid" : result.reason);
      if (!result.valid) return json(200, { valid: false, reason: result.reason });
      request.annotate({ user_id: result.session.userId });
      return json(200, {
        valid: true,
        user_id: result.session.userId,
        provider: result.session.provider,
        expires_at: toIsoUtc(result.session.expiresAt),
        idle_expires_at: toIsoUtc(result.idleExpiresAt),
      });
    }),
  ),
  route("GET", "/auth/sessions", (request) =>
    Effect.gen(function* () {
      const user = yield* requireUser(request);
      const sessions = yield* listSessions(user.userId);
      return json(200, {
        sessions: sessions.map((s) => ({
          id: s.id,
          device: s.device ?? null,
          provider: s.provider,
          created_at: toIsoUtc(s.createdAt),
          last_seen_at: toIsoUtc(s.lastSeenAt),
          expires_at: toIsoUtc(s.expiresAt),
          current: s.id === user.sessionId,
        })),
      });
    }),
  ),
  route("DELETE", "/auth/session", (request) =>
    Effect.gen(function* () {
      const user = yield* requireUser(request);
      yield* revokeSession(user.userId, user.sessionId);
      recordRevoked("one");
      return noContent;
    }),
  ),
  route("DELETE", "/auth/sessions/{id}", (request) =>
    Effect.gen(function* () {
      const user = yield* requireUser(request);
      yield* revokeSession(user.userId, request.params.id ?? "");
      recordRevoked("one");
      return noContent;
    }),
  ),
  route("DELETE", "/auth/sessions", (request) =>
    Effect.gen(function* () {
      const user = yield* requireUser(request);
      const revoked = yield* revokeAllSessions(user.userId);
      recordRevoked("all", revoked.revoked);
      return json(200, revoked);
    }),
  ),
];

const tableCheck = Effect.gen(function* () {
  yield* (yield* SessionStore).ping;
});

export const makeSessionsHandler = (runtime: ManagedRuntime.ManagedRuntime<Services, unknown>, logger?: Logger) =>
  makeHttpHandler({
    name: "sessions",
    routes,
    health: { sessions_table: tableCheck },
    runtime,
    ...(logger ? { logger } : {}),
  });
