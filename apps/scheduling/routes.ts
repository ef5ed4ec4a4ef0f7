import * as Effect from "effect/Effect";
import type * as ManagedRuntime from "effect/ManagedRuntime";
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
import type { Ids } from "../../core/shared/Ids.ts";
import { decodeInput } from "../../core/shared/schema.ts";
import { makeHttpHandler } from "../http/handler.ts";
import { json, noContent, type Route, route } from "../http/router.ts";
import type { Logger } from "../observe/log.ts";
import { deliveryView, eventView, userView } from "./views.ts";

type Services = UserRepository | SchedulingSettings | Clock | Ids;

const param = (request: { params: Readonly<Record<string, string>> }, name: string): string =>
  request.params[name] ?? "";

/** The scheduling back-office routes (API.md, "scheduling"): decode, run one use case, encode. */
const routes: Route<Services>[] = [
  route("POST", "/users", (request) =>
    Effect.gen(function* () {
      const created = yield* createUser(yield* decodeInput(UserInput, "body", "refuse")(request.body));
      request.annotate({ user_id: created.user.id });
      return json(201, userView(created));
    }),
  ),
  route("GET", "/users/{id}", (request) =>
    Effect.map(getUser(param(request, "id")), (details) => json(200, userView(details))),
  ),
  route("PUT", "/users/{id}", (request) =>
    Effect.gen(function* () {
      const body = yield* decodeInput(UserInput, "body", "refuse")(request.body);
      // PUT replaces every field: an absent email clears it.
      const updated = yield* updateUser(param(request, "id"), { ...body, email: body.email ?? null });
      return json(200, userView(updated));
    }),
  ),
  route("PATCH", "/users/{id}", (request) =>
    Effect.gen(function* () {
      const updated = yield* updateUser(
        param(request, "id"),
        yield* decodeInput(UserPatch, "body", "refuse")(request.body),
      );
      return json(200, userView(updated));
    }),
  ),
  route("DELETE", "/users/{id}", (request) => Effect.as(deleteUser(param(request, "id")), noContent)),
  route("POST", "/users/{id}/events", (request) =>
    Effect.gen(function* () {
      const added = yield* addEvent(
        param(request, "id"),
        yield* decodeInput(EventInput, "body", "refuse")(request.body),
      );
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
