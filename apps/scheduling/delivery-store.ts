import * as Cause from "effect/Cause";
import * as Effect from "effect/Effect";
import * as Exit from "effect/Exit";
import type * as ManagedRuntime from "effect/ManagedRuntime";
import { type InvokeResponse, serveInvocation } from "../../adapters/lambda/delivery-store-protocol.ts";
import { DeliveryStore } from "../../core/scheduling/DeliveryStore.ts";
import { SchedulingSettings } from "../../core/scheduling/SchedulingSettings.ts";
import { DependencyUnavailable } from "../../core/shared/errors.ts";
import { describeError, type Logger, makeLogger } from "../observe/log.ts";

type Services = DeliveryStore | SchedulingSettings;

/**
 * The delivery-store function (invoked by the scheduler and the dispatcher, RequestResponse): one DeliveryStore
 * method per invocation, on Postgres. The answer is `{ok: true, output}` or `{ok: false, error}`: a payload that
 * is not a request and a database that does not answer are answers the caller maps to DependencyUnavailable, not
 * function errors. Only a defect (a bug) throws, so the function's error alarm sees it.
 */
export const makeDeliveryStoreHandler = (
  runtime: ManagedRuntime.ManagedRuntime<Services, unknown>,
  logger: Logger = makeLogger({ function: "delivery-store" }),
) => {
  const serve = (payload: unknown) =>
    Effect.gen(function* () {
      return yield* serveInvocation(yield* DeliveryStore, yield* SchedulingSettings, payload);
    });

  return async (event: unknown): Promise<InvokeResponse> => {
    const exit = await runtime.runPromiseExit(serve(event));
    if (Exit.isSuccess(exit)) {
      const answer = exit.value;
      if (!answer.ok) logger.warn("refused", { error_type: answer.error.type, error_message: answer.error.message });
      return answer;
    }
    const error = Cause.squash(exit.cause);
    // The runtime's database layer could not be built: the same answer as a failed query.
    if (error instanceof DependencyUnavailable) {
      logger.error("unavailable", { dependency: error.dependency, ...describeError(error) });
      return {
        ok: false,
        error: {
          type: "DependencyUnavailable",
          dependency: error.dependency,
          message: `${error.dependency} unavailable`,
        },
      };
    }
    logger.error("defect", describeError(error));
    throw error;
  };
};
