import * as Effect from "effect/Effect";
import type * as ManagedRuntime from "effect/ManagedRuntime";
import * as Schema from "effect/Schema";
import { DeliveriesQuery, EventInput, UserInput, UserPatch } from "../../core/scheduling/input.ts";
import type { SchedulingSettings } from "../../core/scheduling/SchedulingSettings.ts";
import { UserRepository } from "../../core/scheduling/UserRepository.ts";
import {
  addEvent,
  createUser,
  deleteUser,
  getUser,
  listDeliveries,
  removeEvent,
  updateUser,
} from "../../core/scheduling/users.ts";
import type { Clock } from "../../core/shared/Clock.ts";
import { ValidationFailed } from "../../core/shared/errors.ts";
import type { Ids } from "../../core/shared/Ids.ts";
import { decodeInput, toValidationFailed } from "../../core/shared/schema.ts";
import { makeHttpHandler } from "../http/handler.ts";
import type { Logger } from "../http/log.ts";
import { json, noContent, type Route, route } from "../http/router.ts";
import { deliveryView, eventView, userView } from "./views.ts";

type Services = UserRepository | SchedulingSettings | Clock | Ids;

/**
 * Bodies refuse unknown fields (as matching's do): a misspelt `timezone` would otherwise be dropped silently and
 * the user's messages keep firing at the old zone's 09:00. The query stays lenient (`decodeInput`).
 */
const decodeBody =
  <S extends Schema.Decoder<unknown>>(schema: S) =>
  (input: unknown): Effect.Effect<S["Type"], ValidationFailed> =>
    Schema.decodeUnknownEffect(schema)(input, { errors: "all", onExcessProperty: "error" }).pipe(
      Effect.mapError((error) => {
        const { details } = toValidationFailed(error.issue);
        const named = details.map(({ field, reason }) => ({
          field,
          reason: reason === "Expected no excess property" ? "unknown field" : reason,
        }));
        const first = named[0] ?? { field: "body", reason: "invalid" };
        return new ValidationFailed({ message: `${first.field}: ${first.reason}`, details: named });
      }),
    );

const param = (request: { params: Readonly<Record<string, string>> }, name: string): string =>
  request.params[name] ?? "";

/** The scheduling back-office routes (API.md, "scheduling"): decode, run one use case, encode. */
const routes: Route<Services>[] = [
  route("POST", "/users", (request) =>
    Effect.gen(function* () {
      const created = yield* createUser(yield* decodeBody(UserInput)(request.body));
      request.annotate({ user_id: created.user.id });
      return json(201, userView(created));
    }),
  ),
  route("GET", "/users/{id}", (request) =>
    Effect.map(getUser(param(request, "id")), (details) => json(200, userView(details))),
  ),
  route("PUT", "/users/{id}", (request) =>
    Effect.gen(function* () {
      const body = yield* decodeBody(UserInput)(request.body);
      // PUT replaces every field: an absent email clears it.
      const updated = yield* updateUser(param(request, "id"), { ...body, email: body.email ?? null });
      return json(200, userView(updated));
    }),
  ),
  route("PATCH", "/users/{id}", (request) =>
    Effect.gen(function* () {
      const updated = yield* updateUser(param(request, "id"), yield* decodeBody(UserPatch)(request.body));
      return json(200, userView(updated));
    }),
  ),
  route("DELETE", "/users/{id}", (request) => Effect.as(deleteUser(param(request, "id")), noContent)),
  route("POST", "/users/{id}/events", (request) =>
    Effect.gen(function* () {
      const added = yield* addEvent(param(request, "id"), yield* decodeBody(EventInput)(request.body));
      return json(201, eventView(added.event, added.pending, added.user.timeZone));
    }),
  ),
  route("DELETE", "/users/{id}/events/{event_id}", (request) =>
    Effect.as(removeEvent(param(request, "id"), param(request, "event_id")), noContent),
  ),
  route("GET", "/deliveries", (request) =>
    Effect.gen(function* () {
      const query = yield* decodeInput(DeliveriesQuery, "query")(request.query);
      const deliveries = yield* listDeliveries(query);
      return json(200, { deliveries: deliveries.map(deliveryView) });
    }),
  ),
];

export const makeSchedulingHandler = (runtime: ManagedRuntime.ManagedRuntime<Services, unknown>, logger?: Logger) =>
  makeHttpHandler({
    name: "scheduling",
    runtime,
    routes,
    health: {
      database: Effect.gen(function* () {
        yield* (yield* UserRepository).ping;
      }),
    },
    ...(logger ? { logger } : {}),
  });
