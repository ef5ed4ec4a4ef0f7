import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import * as Result from "effect/Result";
import { DeliveryQueue } from "../../core/scheduling/DeliveryQueue.ts";
import type { DeliveryStore } from "../../core/scheduling/DeliveryStore.ts";
import type { Delivery, PendingDelivery, User, WebhookPayload, YearlyEvent } from "../../core/scheduling/model.ts";
import {
  type UserChange,
  type UserDetails,
  UserRepository,
  type UserSnapshot,
} from "../../core/scheduling/UserRepository.ts";
import { type WebhookOutcome, WebhookSender } from "../../core/scheduling/WebhookSender.ts";
import { NotFound } from "../../core/shared/errors.ts";
import { memoryDeliveryStore } from "./scheduling-deliveries.ts";

/**
 * The scheduling ports in memory, for core tests and demos: the same rules as the Postgres adapter (one row per
 * (event, occurrence), leases, final states) without transactions, which a single-threaded map does not need.
 */
export class MemoryScheduling {
  readonly users = new Map<string, User>();
  readonly events = new Map<string, YearlyEvent & { removed: boolean }>();
  readonly deliveries: Array<Delivery & { owner: string | null; leaseUntil: Date | null; requeues: number }> = [];
  /** Delivery ids handed to the queue, in order (duplicates kept). */
  readonly queued: string[] = [];
  /** Delivery ids sent to the dead-letter queue, in order. */
  readonly deadLettered: string[] = [];
  /** Webhook calls, in order. */
  readonly posts: Array<{ id: string; payload: WebhookPayload }> = [];
  /** What the next webhook calls answer (first in, first out); `delivered 200` when empty. */
  readonly answers: WebhookOutcome[] = [];
  /** Ids the queue refuses, to test partial acceptance. */
  readonly refuse = new Set<string>();
  #nextId = 0;

  /** Inserts pending rows; an existing (event, occurrence) row wins. */
  insertPending(rows: readonly PendingDelivery[], now: Date): void {
    for (const row of rows) {
      if (this.deliveries.some((d) => d.eventId === row.eventId && d.occurrence === row.occurrence)) continue;
      const id = `delivery-${String(++this.#nextId).padStart(6, "0")}`;
      this.deliveries.push({
        ...row,
        id,
        status: "pending",
        attempts: 0,
        lastError: null,
        updatedAt: now,
        owner: null,
        leaseUntil: null,
        requeues: 0,
      });
    }
  }

  /** As Postgres: only for live users and events without a pending row. */
  insertNext(rows: readonly PendingDelivery[], now: Date): void {
    const live = rows.filter(
      (row) =>
        this.users.has(row.userId) &&
        this.events.get(row.eventId)?.removed === false &&
        !this.deliveries.some((d) => d.eventId === row.eventId && d.status === "pending"),
    );
    this.insertPending(live, now);
  }

  private snapshot(userId: string): UserSnapshot | undefined {
    const user = this.users.get(userId);
    if (!user) return undefined;
    const events = [...this.events.values()]
      .filter((e) => e.userId === userId && !e.removed)
      .map(({ removed: _, ...e }) => e);
    const sentYears: Record<string, number> = {};
    for (const d of this.deliveries) {
      if (d.userId !== userId || d.status === "pending" || d.status === "cancelled") continue;
      sentYears[d.eventId] = Math.max(sentYears[d.eventId] ?? 0, Number(d.occurrence.slice(0, 4)));
    }
    const mine = this.deliveries.filter((d) => d.userId === userId);
    return { user, events, sentYears, pending: mine.filter((d) => d.status === "pending") };
  }

  private details(userId: string) {
    const snapshot = this.snapshot(userId);
    if (!snapshot) return undefined;
    const recent = this.deliveries
      .filter((d) => d.userId === userId && d.status !== "pending")
      .reverse()
      .slice(0, 10);
    return { ...snapshot, recent };
  }

  private cancelUnsent(match: (d: Delivery) => boolean, now: Date): void {
    for (const d of this.deliveries) {
      if (match(d) && ["pending", "claimed", "queued"].includes(d.status))
        Object.assign(d, { status: "cancelled", updatedAt: now });
    }
  }

  readonly userRepository = Layer.succeed(UserRepository, {
    create: (change) =>
      Effect.sync(() => {
        this.users.set(change.user.id, change.user);
        for (const event of change.events) this.events.set(event.id, { ...event, removed: false });
        this.insertPending(change.pending, change.user.createdAt);
      }),
    find: (id) => Effect.sync(() => this.details(id)),
    modify: <E>(id: string, plan: (snapshot: UserSnapshot) => Result.Result<UserChange, E>) =>
      Effect.suspend((): Effect.Effect<UserDetails, E | NotFound> => {
        const snapshot = this.snapshot(id);
        if (!snapshot) return Effect.fail(new NotFound({ resource: "user", id }));
        const planned = plan(snapshot);
        if (Result.isFailure(planned)) return Effect.fail(planned.failure);
        const change = planned.success;
        const now = change.user.updatedAt;
        this.users.set(id, change.user);
        for (const event of change.events) this.events.set(event.id, { ...event, removed: false });
        for (const eventId of change.removedEventIds) {
          const event = this.events.get(eventId);
          if (event) event.removed = true;
          this.cancelUnsent((d) => d.eventId === eventId, now);
        }
        for (let i = this.deliveries.length - 1; i >= 0; i--) {
          const d = this.deliveries[i];
          if (d?.userId === id && d.status === "pending") this.deliveries.splice(i, 1);
        }
        this.insertPending(change.pending, now);
        return Effect.succeed(this.details(id) ?? { ...snapshot, recent: [] });
      }),
    remove: (id, now) =>
      Effect.suspend(() => {
        if (!this.users.delete(id)) return Effect.fail(new NotFound({ resource: "user", id }));
        this.cancelUnsent((d) => d.userId === id, now);
        return Effect.void;
      }),
    listDeliveries: (query) =>
      Effect.sync(() =>
        this.deliveries.filter((d) => !query.status || d.status === query.status).slice(0, query.limit),
      ),
    ping: Effect.void,
  });

  readonly deliveryStore: Layer.Layer<DeliveryStore> = memoryDeliveryStore(this);

  /** Accepts what `refuse` does not name, into `into`. */
  private accept(ids: readonly string[], into: string[]) {
    const accepted = ids.filter((id) => !this.refuse.has(id));
    into.push(...accepted);
    return { accepted, failed: ids.filter((id) => this.refuse.has(id)).map((id) => ({ id, reason: "refused" })) };
  }

  readonly deliveryQueue = Layer.succeed(DeliveryQueue, {
    enqueue: (ids) => Effect.sync(() => this.accept(ids, this.queued)),
    deadLetter: (ids) => Effect.sync(() => this.accept(ids, this.deadLettered)),
  });

  readonly webhookSender = Layer.succeed(WebhookSender, {
    send: (id, payload) =>
      Effect.sync(() => {
        this.posts.push({ id, payload });
        return this.answers.shift() ?? { kind: "delivered", status: 200 };
      }),
  });

  /** Every port at once. */
  get layer() {
    return Layer.mergeAll(this.userRepository, this.deliveryStore, this.deliveryQueue, this.webhookSender);
  }

  byStatus(status: Delivery["status"]): Delivery[] {
    return this.deliveries.filter((d) => d.status === status);
  }
}
