import { loadavg } from "node:os";
import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import { SettableClock } from "../../adapters/memory/clock.ts";
import type { DeliveryQueue } from "../../core/scheduling/DeliveryQueue.ts";
import type { DeliveryStore } from "../../core/scheduling/DeliveryStore.ts";
import type { SchedulePolicy } from "../../core/scheduling/occurrence.ts";
import { SchedulingSettings } from "../../core/scheduling/SchedulingSettings.ts";
import { runSchedulerTick, type TickCounts } from "../../core/scheduling/scheduler.ts";
import { timed } from "../report.ts";
import { ownCpuSeconds, treeCpuSeconds } from "./cpu.ts";
import { phaseTimer } from "./timing.ts";

/** The two measured runs over the due burst: the claim alone, and the scheduler's whole tick. */
type Services = { store: DeliveryStore["Service"]; queue: DeliveryQueue["Service"] };

/** Claims every due row in batches through the store, as a tick's claims do, and nothing else. */
export const claimAlone = (store: Services["store"], now: Date, limit: number, leaseSeconds: number) =>
  timed(async () => {
    let claimed = 0;
    for (;;) {
      const batch = await Effect.runPromise(store.claimDue({ now, limit, leaseSeconds, owner: "bench-claim-only" }));
      claimed += batch.length;
      if (batch.length === 0) return claimed;
    }
  });

/** The processes whose CPU the burst costs: the scheduler (this one), PostgreSQL's postmaster and fauxqs. */
export interface BurstProcesses {
  readonly postmaster: number;
  readonly sqs: number;
}

/**
 * runSchedulerTick with its production defaults, tick after tick (one is usually enough) until nothing is due,
 * the clock standing at `now`; the wall time, each phase's share, the CPU each process spent, the machine's load.
 */
export const schedulerBurst = async (
  services: Services,
  now: Date,
  policy: SchedulePolicy,
  processes: BurstProcesses,
) => {
  const phases = phaseTimer(services);
  const layer = Layer.mergeAll(phases.layer, new SettableClock(now).layer, Layer.succeed(SchedulingSettings, policy));
  const cpu = () => ({
    scheduler: ownCpuSeconds(),
    postgres: treeCpuSeconds(processes.postmaster),
    sqs: treeCpuSeconds(processes.sqs),
  });
  const ticks: TickCounts[] = [];
  const loadBefore = loadavg()[0] ?? 0;
  const cpuBefore = cpu();
  const full = await timed(async () => {
    for (;;) {
      const counts = await Effect.runPromise(
        Effect.provide(runSchedulerTick({ owner: `bench-scheduler-${ticks.length + 1}` }), layer),
      );
      if (counts.claimed === 0) return;
      ticks.push(counts);
    }
  });
  const cpuAfter = cpu();
  return {
    ms: full.ms,
    ticks,
    queued: ticks.reduce((sum, tick) => sum + tick.queued, 0),
    phases: phases.totals,
    load: { before: loadBefore, after: loadavg()[0] ?? 0 },
    cpuSeconds: {
      scheduler: cpuAfter.scheduler - cpuBefore.scheduler,
      postgres: cpuAfter.postgres - cpuBefore.postgres,
      sqs: cpuAfter.sqs - cpuBefore.sqs,
    },
  };
};
