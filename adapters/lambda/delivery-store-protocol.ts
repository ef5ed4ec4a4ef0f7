import * as Effect from "effect/Effect";
import * as Schema from "effect/Schema";
import type { DeliveryStore } from "../../core/scheduling/DeliveryStore.ts";
import { DELIVERY_STATUSES, EVENT_TYPES } from "../../core/scheduling/model.ts";
import type { SchedulePolicy } from "../../core/scheduling/occurrence.ts";
import { nextOccurrencesOf } from "../../core/scheduling/reschedule.ts";
import type { DependencyUnavailable } from "../../core/shared/errors.ts";
import { issuesOf } from "../../core/shared/schema.ts";

/**
 * The DeliveryStore port over the Lambda Invoke API, shared by the client (adapters/lambda/delivery-store-client.ts,
 * in the scheduler and the dispatcher) and the server (the delivery-store function): one entry per port method
 * with the Schema of its request and its response (instants as ISO strings), how the port's arguments become the
 * request, and how the server runs it on the Postgres store. Both sides decode what they receive. Adding a port
 * method is one entry here plus its one-line forward in the client; the compiler asks for both.
 */
export type Store = DeliveryStore["Service"];
export type MethodName = keyof Store;

/** "always": a retry after a lost response is harmless. "unsent": retried only when the call surely never ran. */
export type RetrySafety = "always" | "unsent";

export interface MethodSpec<K extends MethodName, Req, ReqE, Res, ResE> {
  readonly request: Schema.Codec<Req, ReqE>;
  readonly response: Schema.Codec<Res, ResE>;
  readonly toRequest: (...args: Parameters<Store[K]>) => Req;
  readonly serve: (store: Store, request: Req, policy: SchedulePolicy) => Effect.Effect<Res, DependencyUnavailable>;
  readonly retry: RetrySafety;
}

/** A refusal the server answers instead of crashing: the client maps every kind to DependencyUnavailable. */
export type WireError =
  | { readonly type: "DependencyUnavailable"; readonly dependency: string; readonly message: string }
  | { readonly type: "BadRequest" | "Internal"; readonly message: string };

/** `input.limit: Expected a value greater than 0; input.owner: Missing key`. */
export const describeIssues = (issue: Parameters<typeof issuesOf>[0], root: string): string =>
  issuesOf(issue, root)
    .map(({ field, reason }) => `${field === root ? root : `${root}.${field}`}: ${reason}`)
    .join("; ");

const method = <K extends MethodName, Req, ReqE, Res, ResE>(_name: K, spec: MethodSpec<K, Req, ReqE, Res, ResE>) => ({
  ...spec,
  /** The server side: decodes the request, runs it, encodes the answer; never fails. */
  handle: (store: Store, input: unknown, policy: SchedulePolicy): Effect.Effect<unknown, WireError> =>
    Schema.decodeUnknownEffect(spec.request)(input, { errors: "all", onExcessProperty: "error" }).pipe(
      Effect.mapError((error): WireError => ({ type: "BadRequest", message: describeIssues(error.issue, "input") })),
      Effect.flatMap((request) =>
        spec.serve(store, request, policy).pipe(
          Effect.mapError(
            (error): WireError => ({
              type: "DependencyUnavailable",
              dependency: error.dependency,
              message: `${error.dependency} unavailable`,
            }),
          ),
        ),
      ),
      Effect.flatMap((result) =>
        Schema.encodeEffect(spec.response)(result).pipe(
          Effect.mapError((error): WireError => ({ type: "Internal", message: describeIssues(error.issue, "output") })),
        ),
      ),
    ),
});

const Instant = Schema.DateFromString;
const Ids = Schema.Array(Schema.String);
const Positive = Schema.Finite.check(Schema.isGreaterThan(0));
const Done = Schema.Null;

const ClaimedDelivery = Schema.Struct({
  id: Schema.String,
  eventId: Schema.String,
  userId: Schema.String,
  occurrence: Schema.String,
  sendAt: Instant,
  eventDate: Schema.String,
  timeZone: Schema.String,
});

const DispatchDelivery = Schema.Struct({
  id: Schema.String,
  status: Schema.Literals(DELIVERY_STATUSES),
  userId: Schema.String,
  eventId: Schema.String,
  eventType: Schema.Literals(EVENT_TYPES),
  eventDate: Schema.String,
  template: Schema.NullOr(Schema.String),
  occurrence: Schema.String,
  sendAt: Instant,
  firstName: Schema.String,
  lastName: Schema.String,
  taken: Schema.Boolean,
});

const DispatchOutcome = Schema.Union([
  Schema.Struct({ kind: Schema.Literal("delivered"), status: Schema.Int }),
  Schema.Struct({ kind: Schema.Literals(["failed", "attempt-failed"]), reason: Schema.String }),
]);

export const METHODS = {
  // A retried claim whose first answer was lost leaves that batch claimed until its lease ends: late, not lost.
  claimDue: method("claimDue", {
    request: Schema.Struct({
      now: Instant,
      limit: Schema.Int.check(Schema.isGreaterThan(0)),
      leaseSeconds: Positive,
      owner: Schema.String,
      /** The caller asked for next occurrences (`nextOf`): the server builds them from its own settings. */
      reschedule: Schema.Boolean,
    }),
    response: Schema.Array(ClaimedDelivery),
    toRequest: ({ now, limit, leaseSeconds, owner, nextOf }) => ({
      now,
      limit,
      leaseSeconds,
      owner,
      reschedule: nextOf !== undefined,
    }),
    serve: (store, { reschedule, ...request }, policy) =>
      store.claimDue(reschedule ? { ...request, nextOf: nextOccurrencesOf(request.now, policy) } : request),
    retry: "always",
  }),
  // Settling only moves rows this owner still holds: a second settle changes nothing.
  settle: method("settle", {
    request: Schema.Struct({ owner: Schema.String, now: Instant, queued: Ids, skipped: Ids, released: Ids }),
    response: Done,
    toRequest: (settlement) => settlement,
    serve: (store, settlement) => store.settle(settlement).pipe(Effect.as(null)),
    retry: "always",
  }),
  // Only when surely unsent: a lost answer already counted one re-queue on the rows it claimed; the next tick sweeps.
  claimStale: method("claimStale", {
    request: Schema.Struct({
      now: Instant,
      staleBefore: Instant,
      lostBefore: Schema.optionalKey(Instant),
      limit: Schema.Int.check(Schema.isGreaterThan(0)),
      leaseSeconds: Positive,
      owner: Schema.String,
    }),
    response: Schema.Array(Schema.Struct({ ...ClaimedDelivery.fields, requeues: Schema.Int })),
    toRequest: (request) => request,
    serve: (store, request) => store.claimStale(request),
    retry: "unsent",
  }),
  // Ends only rows its owner still holds: a second give-up changes nothing.
  giveUp: method("giveUp", {
    request: Schema.Struct({ owner: Schema.String, now: Instant, ids: Ids, reason: Schema.String }),
    response: Done,
    toRequest: (giveUp) => giveUp,
    serve: (store, giveUp) => store.giveUp(giveUp).pipe(Effect.as(null)),
    retry: "always",
  }),
  // Not after a lost answer: the retry would find the rows held by the first call and acknowledge them unposted.
  beginDispatch: method("beginDispatch", {
    request: Schema.Struct({ ids: Ids, now: Instant, holdSeconds: Positive }),
    response: Schema.Array(DispatchDelivery),
    toRequest: (request) => request,
    serve: (store, request) => store.beginDispatch(request),
    retry: "unsent",
  }),
  // A final state replaces only an unsent one, and an attempt only counts once more: safe to repeat.
  recordOutcome: method("recordOutcome", {
    request: Schema.Struct({ id: Schema.String, now: Instant, outcome: DispatchOutcome }),
    response: Done,
    toRequest: (id, now, outcome) => ({ id, now, outcome }),
    serve: (store, { id, now, outcome }) => store.recordOutcome(id, now, outcome).pipe(Effect.as(null)),
    retry: "always",
  }),
} satisfies Record<MethodName, unknown>;

const isMethodName = (name: string): name is MethodName => Object.hasOwn(METHODS, name);
const METHOD_NAMES = Object.keys(METHODS).filter(isMethodName);

/** What the client sends: the method and its encoded request. */
export const InvokeRequest = Schema.Struct({ method: Schema.Literals(METHOD_NAMES), input: Schema.Unknown });

/** What the server answers, in a successful invocation (a refusal is an answer too, not a function error). */
export const InvokeResponse = Schema.Union([
  Schema.Struct({ ok: Schema.Literal(true), output: Schema.Unknown }),
  Schema.Struct({
    ok: Schema.Literal(false),
    error: Schema.Union([
      Schema.Struct({
        type: Schema.Literal("DependencyUnavailable"),
        dependency: Schema.String,
        message: Schema.String,
      }),
      Schema.Struct({ type: Schema.Literals(["BadRequest", "Internal"]), message: Schema.String }),
    ]),
  }),
]);
export type InvokeResponse = typeof InvokeResponse.Type;

/**
 * The delivery-store function's whole job: decode the invocation, run the method on `store`, answer. A payload
 * that is not a request, or a store failure, is an answer naming it (`ok: false`), never a thrown error.
 */
export const serveInvocation = (
  store: Store,
  policy: SchedulePolicy,
  payload: unknown,
): Effect.Effect<InvokeResponse> =>
  Schema.decodeUnknownEffect(InvokeRequest)(payload, { errors: "all", onExcessProperty: "error" }).pipe(
    Effect.mapError((error): WireError => ({ type: "BadRequest", message: describeIssues(error.issue, "payload") })),
    Effect.flatMap(({ method: name, input }) => METHODS[name].handle(store, input, policy)),
    Effect.match({
      onSuccess: (output): InvokeResponse => ({ ok: true, output }),
      onFailure: (error): InvokeResponse => ({ ok: false, error }),
    }),
  );
