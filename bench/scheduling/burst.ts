import { loadavg } from "node:os";
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import type postgres from "postgres";
import { SettableClock } from "../../adapters/memory/clock.ts";
import { sqsDeliveryQueue } from "../../adapters/sqs/deliveries-queue.ts";
import { DeliveryQueue } from "../../core/scheduling/DeliveryQueue.ts";
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

/**
 * The scheduler runs every minute and SQS is always up: the SDK client and fauxqs are warmed (V8 compiles them) on
 * another queue first, or the burst's first rounds measure compilation (1-2 s per 1,000 instead of ~100 ms).
 */
export const warmUp = async (sqs: SQSClient, rounds: number, size: number): Promise<void> => {
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: "bench-warm-up" }))).QueueUrl ?? "";
  const queue = await Effect.runPromise(
    Effect.provide(
      Effect.gen(function* () {
        return yield* DeliveryQueue;
      }),
      sqsDeliveryQueue(sqs, url),
    ),
  );
  for (let round = 0; round < rounds; round++) {
    await Effect.runPromise(queue.enqueue(Array.from({ length: size }, (_, i) => `warm-${round}-${i}`)));
  }
};

/**
 * Throws unless every due delivery was queued exactly once: as the ticks counted, as Postgres records, as the queue
 * holds, and with each event's next occurrence (after `after`) pending. Returns the queue's message count.
 */
export const checkAllQueued = async (
  sql: postgres.Sql,
  sqs: SQSClient,
  queueUrl: string,
  expected: { due: number; queued: number; after: string },
): Promise<number> => {
  const [db] = await sql<{ queued: number; pending_next: number }[]>`
    select count(*) filter (where status = 'queued')::int as queued,
      count(*) filter (where status = 'pending' and occurrence > ${expected.after}
        and user_id in (select user_id from deliveries where status = 'queued'))::int as pending_next
    from deliveries`;
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }),
  );
  const inQueue = Number(attributes.Attributes?.ApproximateNumberOfMessages ?? -1);
  const { due, queued } = expected;
  if (queued !== due || db?.queued !== due || inQueue !== due || db?.pending_next !== due) {
    throw new Error(
      `expected ${due} queued: ticks ${queued}, db ${db?.queued}, SQS ${inQueue}, next ${db?.pending_next}`,
    );
  }
  return inQueue;
};
