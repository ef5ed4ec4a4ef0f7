import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import { DeliveryQueue } from "../../core/scheduling/DeliveryQueue.ts";
import { DeliveryStore } from "../../core/scheduling/DeliveryStore.ts";

/**
 * Where a scheduler tick spends its time: the production store and queue, each call's wall time summed per phase.
 * The wrappers only measure; every call goes to the adapter unchanged.
 */
type Store = DeliveryStore["Service"];
type Queue = DeliveryQueue["Service"];

/** The services two adapter layers provide, to call directly and to wrap. */
export const servicesOf = (
  layer: Layer.Layer<DeliveryStore | DeliveryQueue>,
): Promise<{ store: Store; queue: Queue }> =>
  Effect.runPromise(
    Effect.provide(
      Effect.gen(function* () {
        return { store: yield* DeliveryStore, queue: yield* DeliveryQueue };
      }),
      layer,
    ),
  );

const timedEffect = <A, E>(effect: Effect.Effect<A, E>, add: (ms: number) => void): Effect.Effect<A, E> =>
  Effect.suspend(() => {
    const start = performance.now();
    return effect.pipe(Effect.ensuring(Effect.sync(() => add(performance.now() - start))));
  });

export interface PhaseTotals {
  /** The claim statement and the next occurrences' insert, in one transaction (including `nextMs`). */
  claimMs: number;
  /** The core's next-occurrence computation for each claimed row, run inside the claim. */
  nextMs: number;
  enqueueMs: number;
  settleMs: number;
  /** Each enqueue call's wall time, in order: shows whether the queue slows as it fills. */
  enqueueCalls: number[];
}

export const phaseTimer = (services: { store: Store; queue: Queue }) => {
  const totals: PhaseTotals = { claimMs: 0, nextMs: 0, enqueueMs: 0, settleMs: 0, enqueueCalls: [] };
  const { store, queue } = services;
  const layer = Layer.mergeAll(
    Layer.succeed(DeliveryStore, {
      ...store,
      claimDue: (request) => {
        const nextOf = request.nextOf;
        const timed = nextOf
          ? {
              ...request,
              nextOf: (rows: Parameters<typeof nextOf>[0]) => {
                const start = performance.now();
                const next = nextOf(rows);
                totals.nextMs += performance.now() - start;
                return next;
              },
            }
          : request;
        return timedEffect(store.claimDue(timed), (ms) => (totals.claimMs += ms));
      },
      settle: (settlement) => timedEffect(store.settle(settlement), (ms) => (totals.settleMs += ms)),
    }),
    Layer.succeed(DeliveryQueue, {
      enqueue: (ids) =>
        timedEffect(queue.enqueue(ids), (ms) => {
          totals.enqueueMs += ms;
          totals.enqueueCalls.push(ms);
        }),
      deadLetter: queue.deadLetter,
    }),
  );
  return { totals, layer };
};
