import { InvokeCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import * as Schedule from "effect/Schedule";
import * as Schema from "effect/Schema";
import { DeliveryStore } from "../../core/scheduling/DeliveryStore.ts";
import { DependencyUnavailable } from "../../core/shared/errors.ts";
import { withDependencySpans } from "../dependency-spans.ts";
import {
  describeIssues,
  InvokeResponse,
  METHODS,
  type MethodName,
  type MethodSpec,
  type RetrySafety,
  type Store,
  type WireError,
} from "./delivery-store-protocol.ts";

/**
 * The DeliveryStore port for functions outside the VPC (the scheduler and the dispatcher): each call is a
 * synchronous Invoke (RequestResponse) of the delivery-store function, which runs it on Postgres. A function
 * error, a refusal, an answer that does not decode and a network failure are all DependencyUnavailable with
 * dependency "delivery-store" (a database the delivery-store reports down stays "database"), so the scheduler and
 * the dispatcher behave exactly as when Postgres itself fails: claims wait for their lease, messages come back.
 */
export interface RemoteDeliveryStoreOptions {
  readonly lambda: LambdaClient;
  /** The delivery-store function's name or ARN (in AWS its `live` alias), as the Invoke API accepts it. */
  readonly functionName: string;
  /** Attempts per call, the first included; the SDK itself makes one (adapters/lambda/client.ts). @default 3 */
  readonly attempts?: number;
  /** The wait before the first retry, doubled for each next one. @default 50 */
  readonly backoffMs?: number;
}

export const DEPENDENCY = "delivery-store";

/** One failed invoke, and whether the function can have run: what decides if a retry is safe. */
interface InvokeFailure {
  readonly ran: "no" | "maybe" | "yes";
  readonly error: DependencyUnavailable;
}

/** Lambda refused before running the function (throttled, not ready), or the connection was never made. */
const NOT_RUN_ERRORS = new Set(["TooManyRequestsException", "ResourceNotReadyException", "EC2ThrottledException"]);
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"]);

const field = (value: unknown, key: string): unknown =>
  typeof value === "object" && value !== null && key in value ? Reflect.get(value, key) : undefined;

const ranOf = (cause: unknown): InvokeFailure["ran"] => {
  if (NOT_RUN_ERRORS.has(String(field(cause, "name"))) || NOT_SENT_CODES.has(String(field(cause, "code")))) return "no";
  // A 4xx other than a throttle (no such function, access denied, payload too large) will not change on retry.
  const status = field(field(cause, "$metadata"), "httpStatusCode");
  return typeof status === "number" && status >= 400 && status < 500 ? "yes" : "maybe";
};

const retryable = (safety: RetrySafety, failure: InvokeFailure): boolean =>
  failure.ran === "no" || (safety === "always" && failure.ran === "maybe");

const unavailable = (cause: unknown) => new DependencyUnavailable({ dependency: DEPENDENCY, cause });

const fromWireError = (error: WireError): DependencyUnavailable =>
  error.type === "DependencyUnavailable"
    ? new DependencyUnavailable({ dependency: error.dependency, cause: `${DEPENDENCY}: ${error.message}` })
    : unavailable(`${DEPENDENCY} answered ${error.type}: ${error.message}`);

const decodeAnswer = Schema.decodeUnknownEffect(Schema.fromJsonString(InvokeResponse));

export const remoteDeliveryStore = (options: RemoteDeliveryStoreOptions): Layer.Layer<DeliveryStore> => {
  const attempts = Math.max(1, options.attempts ?? 3);
  const retrySchedule = Schedule.exponential(`${options.backoffMs ?? 50} millis`);
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();

  const invokeOnce = (payload: Uint8Array): Effect.Effect<string, InvokeFailure> =>
    Effect.tryPromise({
      try: (signal) =>
        options.lambda.send(
          new InvokeCommand({
            FunctionName: options.functionName,
            InvocationType: "RequestResponse",
            Payload: payload,
          }),
          { abortSignal: signal },
        ),
      catch: (cause): InvokeFailure => ({ ran: ranOf(cause), error: unavailable(cause) }),
    }).pipe(
      Effect.flatMap((output) => {
        const text = output.Payload ? decoder.decode(output.Payload) : "";
        // The handler threw or timed out (X-Amz-Function-Error): it ran, and its error is in the payload.
        return output.FunctionError
          ? Effect.fail<InvokeFailure>({
              ran: "yes",
              error: unavailable(`${DEPENDENCY} function error (${output.FunctionError}): ${text.slice(0, 500)}`),
            })
          : Effect.succeed(text);
      }),
    );

  const call = <K extends MethodName, Req, ReqE, Res, ResE>(
    name: K,
    spec: MethodSpec<K, Req, ReqE, Res, ResE>,
    args: Parameters<Store[K]>,
  ): Effect.Effect<Res, DependencyUnavailable> =>
    Effect.gen(function* () {
      const input = yield* Schema.encodeEffect(spec.request)(spec.toRequest(...args)).pipe(
        Effect.mapError((error) => unavailable(`${name}: ${describeIssues(error.issue, "input")}`)),
      );
      const payload = encoder.encode(JSON.stringify({ method: name, input }));
      const text = yield* invokeOnce(payload).pipe(
        Effect.retry({
          times: attempts - 1,
          schedule: retrySchedule,
          while: (failure) => retryable(spec.retry, failure),
        }),
        Effect.mapError((failure) => failure.error),
      );
      const answer = yield* decodeAnswer(text).pipe(
        Effect.mapError((error) => unavailable(`${name}: ${describeIssues(error.issue, "answer")}`)),
      );
      if (!answer.ok) return yield* Effect.fail(fromWireError(answer.error));
      return yield* Schema.decodeUnknownEffect(spec.response)(answer.output).pipe(
        Effect.mapError((error) => unavailable(`${name}: ${describeIssues(error.issue, "output")}`)),
      );
    });

  const store: Store = {
    claimDue: (...args) => call("claimDue", METHODS.claimDue, args),
    settle: (...args) => call("settle", METHODS.settle, args).pipe(Effect.asVoid),
    claimStale: (...args) => call("claimStale", METHODS.claimStale, args),
    giveUp: (...args) => call("giveUp", METHODS.giveUp, args).pipe(Effect.asVoid),
    beginDispatch: (...args) => call("beginDispatch", METHODS.beginDispatch, args),
    recordOutcome: (...args) => call("recordOutcome", METHODS.recordOutcome, args).pipe(Effect.asVoid),
  };
  return Layer.succeed(
    DeliveryStore,
    withDependencySpans("lambda.deliveryStore", store, { recordOutcome: (id) => ({ delivery_id: id }) }),
  );
};
