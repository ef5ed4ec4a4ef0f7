import * as Effect from "effect/Effect";
import * as Exit from "effect/Exit";
import type * as ManagedRuntime from "effect/ManagedRuntime";
import * as Result from "effect/Result";
import * as Schema from "effect/Schema";
import { MatchingStore } from "../../core/matching/MatchingStore.ts";
import { type MatchingConfig, type RunReport, runMatcher } from "../../core/matching/usecases.ts";
import type { Clock } from "../../core/shared/Clock.ts";
import type { Ids } from "../../core/shared/Ids.ts";
import { decodeInput } from "../../core/shared/schema.ts";
import type { FunctionUrlEvent, FunctionUrlResult, ScheduledEvent } from "../http/events.ts";
import { makeHttpHandler } from "../http/handler.ts";
import { json, route } from "../http/router.ts";
import { describeError, type Logger, makeLogger } from "../observe/log.ts";
import { recordMetric } from "../observe/metrics.ts";
import { RUN_FIELDS, rejectUnknownFields } from "./strict.ts";

/** What the matcher needs; apps/runtime/matching.ts builds it from the environment. */
export type MatcherServices = MatchingStore | MatchingConfig | Clock | Ids;

/** BatchRuns by outcome and, for a completed run, its pool, pairs by tier and duration (apps/telemetry.ts). */
const recordRun = (report: RunReport): void => {
  if (report.status === "skipped_locked") {
    recordMetric("BatchRuns", "skipped");
    return;
  }
  recordMetric("BatchRuns", "completed");
  recordMetric("PoolSize", report.pool_size);
  // Only tiers that paired someone: an idle stack's runs then publish three metrics, not six (each costs).
  for (const tier of ["0", "1", "2"] as const) {
    if (report.by_tier[tier] > 0) recordMetric("Pairs", tier, report.by_tier[tier]);
  }
  recordMetric("BatchDuration", report.duration_ms);
};

/** One run, counted whichever way it ends: a failure or a defect is a `failed` run. */
const measuredRun = Effect.suspend(runMatcher).pipe(
  Effect.onExit((exit) =>
    Effect.sync(() => (Exit.isSuccess(exit) ? recordRun(exit.value) : recordMetric("BatchRuns", "failed"))),
  ),
);

/** `GET /health`: the database answers. */
const health = {
  database: Effect.gen(function* () {
    yield* (yield* MatchingStore).ping;
  }),
};

const RunBody = Schema.Struct({ trigger: Schema.optionalKey(Schema.Literals(["manual"])) });

const isUrlEvent = (event: unknown): event is FunctionUrlEvent =>
  typeof event === "object" && event !== null && "rawPath" in event && "requestContext" in event;

/** `aws lambda invoke --function-name <matcher> --payload '{"trigger":"manual"}'`: an operator's direct run. */
const ManualInvoke = Schema.Struct({ trigger: Schema.Literal("manual") });
const isManualInvoke = (event: unknown): boolean =>
  Result.isSuccess(Schema.decodeUnknownResult(ManualInvoke)(event, { onExcessProperty: "error" }));

const isScheduledEvent = (event: unknown): event is ScheduledEvent =>
  typeof event === "object" && event !== null && (event as { source?: unknown }).source === "rendezvous.schedule";

/**
 * The matcher: one batch per invocation, from its schedule (every 3 hours), from an operator's `POST /run` on
 * its AWS_IAM function URL, or from a direct invoke with the payload `{"trigger":"manual"}` (the old batch
 * matcher's manual run). Reserved concurrency 1 keeps invocations from overlapping in one region, and the
 * store's advisory lock makes any overlap that still happens (a retry, a manual run) report `skipped_locked`
 * instead of pairing the same pool twice. Either way the answer is the run report of API.md.
 */
export const makeMatcherHandler = (
  runtime: ManagedRuntime.ManagedRuntime<MatcherServices, unknown>,
  logger: Logger = makeLogger({ function: "matcher" }),
) => {
  const http = makeHttpHandler({
    name: "matcher",
    runtime,
    health,
    logger,
    routes: [
      route("POST", "/run", (request) =>
        Effect.gen(function* () {
          yield* rejectUnknownFields(RUN_FIELDS)(request.body);
          yield* decodeInput(RunBody)(request.body ?? {});
          const report = yield* measuredRun;
          request.annotate({ ...figuresOf(report), trigger: "manual" });
          return json(200, report);
        }),
      ),
    ],
  });

  /**
   * A scheduled or directly invoked run throws on failure, so Lambda counts an error (the alarm fires, and
   * `aws lambda invoke` shows the function error).
   */
  const direct = async (fields: { trigger: "schedule" | "manual"; scheduled_time?: string }): Promise<RunReport> => {
    try {
      const report = await runtime.runPromise(measuredRun);
      logger.info("matcher run", { ...figuresOf(report), ...fields });
      return report;
    } catch (error) {
      logger.error("matcher run failed", { trigger: fields.trigger, ...describeError(error) });
      throw error;
    }
  };

  return async (event: unknown): Promise<FunctionUrlResult | RunReport> => {
    if (isUrlEvent(event)) return http(event);
    if (isScheduledEvent(event)) return direct({ trigger: "schedule", scheduled_time: event.scheduled_time });
    if (isManualInvoke(event)) return direct({ trigger: "manual" });
    throw new Error('matcher: expected a function URL request, a rendezvous.schedule event or {"trigger":"manual"}');
  };
};

/** The report's figures as log fields (by tier flattened, so Logs Insights can sum them). */
const figuresOf = (report: RunReport) => ({
  run_id: report.run_id,
  run_status: report.status,
  pool_size: report.pool_size,
  pairs_created: report.pairs_created,
  tier0: report.by_tier["0"],
  tier1: report.by_tier["1"],
  tier2: report.by_tier["2"],
  promoted: report.promoted,
  expired: report.expired,
  duration_ms: report.duration_ms,
});
