import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import type { DeliveryQueue } from "../../core/scheduling/DeliveryQueue.ts";
import type { DeliveryStore } from "../../core/scheduling/DeliveryStore.ts";
import { dispatchDeliveries } from "../../core/scheduling/dispatcher.ts";
import { DEFAULT_POLICY, type SchedulePolicy } from "../../core/scheduling/occurrence.ts";
import { SchedulingSettings } from "../../core/scheduling/SchedulingSettings.ts";
import { runSchedulerTick } from "../../core/scheduling/scheduler.ts";
import type { UserRepository } from "../../core/scheduling/UserRepository.ts";
import { createUser } from "../../core/scheduling/users.ts";
import type { WebhookSender } from "../../core/scheduling/WebhookSender.ts";
import type { Clock } from "../../core/shared/Clock.ts";
import type { Ids } from "../../core/shared/Ids.ts";
import { SettableClock } from "./clock.ts";
import { sequentialIds } from "./ids.ts";
import { MemoryScheduling } from "./scheduling.ts";

/** The scheduling use cases on the memory adapters and a settable clock, for core tests. */
type Services = Clock | Ids | SchedulingSettings | UserRepository | DeliveryStore | DeliveryQueue | WebhookSender;

export const schedulingHarness = (start: string, policy: SchedulePolicy = DEFAULT_POLICY) => {
  const clock = new SettableClock(start);
  const memory = new MemoryScheduling();
  const layer = Layer.mergeAll(memory.layer, clock.layer, sequentialIds(), Layer.succeed(SchedulingSettings, policy));
  const run = <A, E>(effect: Effect.Effect<A, E, Services>) => Effect.runPromise(Effect.provide(effect, layer));
  const tick = () => run(runSchedulerTick({ owner: "scheduler-1" }));
  /** Delivers every queued message once, as a first receive. */
  const dispatchQueued = async () => {
    const ids = memory.queued.splice(0);
    return run(
      dispatchDeliveries(
        ids.map((deliveryId) => ({ deliveryId, receiveCount: 1 })),
        { maxReceives: 5 },
      ),
    );
  };
  const user = (birthday: string, timezone: string, first_name = "John") =>
    run(createUser({ first_name, last_name: "Doe", birthday, timezone }));
  return { clock, memory, run, tick, dispatchQueued, user };
};
