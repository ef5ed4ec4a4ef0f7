import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import {
  type ClaimedDelivery,
  DeliveryStore,
  type DispatchDelivery,
  type StaleDelivery,
} from "../../core/scheduling/DeliveryStore.ts";
import type { MemoryScheduling } from "./scheduling.ts";

type Row = MemoryScheduling["deliveries"][number];

const claimedOf = (memory: MemoryScheduling, d: Row): ClaimedDelivery => ({
  id: d.id,
  eventId: d.eventId,
  userId: d.userId,
  occurrence: d.occurrence,
  sendAt: d.sendAt,
  eventDate: memory.events.get(d.eventId)?.date ?? d.occurrence,
  timeZone: memory.users.get(d.userId)?.timeZone ?? "UTC",
});

/** The DeliveryStore port over MemoryScheduling's rows: leases, holds and final states as in Postgres. */
export const memoryDeliveryStore = (memory: MemoryScheduling): Layer.Layer<DeliveryStore> =>
  Layer.succeed(DeliveryStore, {
    claimDue: (request) =>
      Effect.sync(() => {
        const due = memory.deliveries
          .filter(
            (d) =>
              (d.status === "pending" && d.sendAt <= request.now) ||
              (d.status === "claimed" && d.leaseUntil !== null && d.leaseUntil < request.now),
          )
          .sort((a, b) => a.sendAt.getTime() - b.sendAt.getTime())
          .slice(0, request.limit);
        const claimed = due.map((d): ClaimedDelivery => {
          Object.assign(d, {
            status: "claimed",
            owner: request.owner,
            leaseUntil: new Date(request.now.getTime() + request.leaseSeconds * 1000),
          });
          return claimedOf(memory, d);
        });
        memory.insertNext(request.nextOf?.(claimed) ?? [], request.now);
        return claimed;
      }),
    settle: (s) =>
      Effect.sync(() => {
        const held = (id: string) =>
          memory.deliveries.find((d) => d.id === id && d.status === "claimed" && d.owner === s.owner);
        for (const id of s.queued)
          Object.assign(held(id) ?? {}, { status: "queued", leaseUntil: null, updatedAt: s.now });
        for (const id of s.skipped)
          Object.assign(held(id) ?? {}, { status: "skipped", leaseUntil: null, updatedAt: s.now });
        for (const id of s.released)
          Object.assign(held(id) ?? {}, { status: "pending", owner: null, leaseUntil: null });
      }),
    claimStale: (request) =>
      Effect.sync(() =>
        memory.deliveries
          .filter(
            (d) =>
              d.status === "queued" &&
              (d.updatedAt < request.staleBefore ||
                (request.lostBefore !== undefined && d.updatedAt < request.lostBefore)) &&
              (d.leaseUntil === null || d.leaseUntil < request.now),
          )
          .sort((a, b) => a.updatedAt.getTime() - b.updatedAt.getTime())
          .slice(0, request.limit)
          .map((d): StaleDelivery => {
            Object.assign(d, {
              status: "claimed",
              owner: request.owner,
              leaseUntil: new Date(request.now.getTime() + request.leaseSeconds * 1000),
              requeues: d.requeues + (d.updatedAt < request.staleBefore ? 1 : 0),
              updatedAt: request.now,
            });
            return { ...claimedOf(memory, d), requeues: d.requeues };
          }),
      ),
    giveUp: ({ owner, now, ids, reason }) =>
      Effect.sync(() => {
        for (const d of memory.deliveries) {
          if (ids.includes(d.id) && d.status === "claimed" && d.owner === owner)
            Object.assign(d, { status: "failed", leaseUntil: null, lastError: reason, updatedAt: now });
        }
      }),
    beginDispatch: ({ ids, now, holdSeconds }) =>
      Effect.sync(() =>
        memory.deliveries.flatMap((d): DispatchDelivery[] => {
          const user = memory.users.get(d.userId);
          const event = memory.events.get(d.eventId);
          if (!ids.includes(d.id) || !event) return [];
          // As in Postgres: a claimed row, or a queued one no dispatcher holds, is taken and becomes queued.
          const free = d.status === "queued" && (d.leaseUntil === null || d.leaseUntil < now);
          const taken = (d.status === "claimed" || free) && user !== undefined;
          if (taken)
            Object.assign(d, {
              status: "queued",
              leaseUntil: new Date(now.getTime() + holdSeconds * 1000),
              updatedAt: now,
            });
          return [
            {
              id: d.id,
              status: d.status,
              taken,
              userId: d.userId,
              eventId: d.eventId,
              eventType: event.type,
              eventDate: event.date,
              template: event.message,
              occurrence: d.occurrence,
              sendAt: d.sendAt,
              firstName: user?.firstName ?? "",
              lastName: user?.lastName ?? "",
            },
          ];
        }),
      ),
    recordOutcome: (id, now, outcome) =>
      Effect.sync(() => {
        const d = memory.deliveries.find(
          (row) => row.id === id && ["pending", "claimed", "queued"].includes(row.status),
        );
        if (!d) return;
        Object.assign(d, { attempts: d.attempts + 1, leaseUntil: d.status === "claimed" ? d.leaseUntil : null });
        if (outcome.kind === "delivered") Object.assign(d, { status: "delivered", lastError: null, updatedAt: now });
        else if (outcome.kind === "failed")
          Object.assign(d, { status: "failed", lastError: outcome.reason, updatedAt: now });
        else Object.assign(d, { lastError: outcome.reason, updatedAt: now });
      }),
  });
