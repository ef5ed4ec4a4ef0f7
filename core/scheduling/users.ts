import * as Effect from "effect/Effect";
import * as Result from "effect/Result";
import { Clock } from "../shared/Clock.ts";
import { Conflict, NotFound, ValidationFailed } from "../shared/errors.ts";
import { Ids } from "../shared/Ids.ts";
import type { DeliveriesQuery, EventInput, UserInput, UserPatch } from "./input.ts";
import type { PendingDelivery, User, YearlyEvent } from "./model.ts";
import { nextOccurrence, type SchedulePolicy } from "./occurrence.ts";
import { SchedulingSettings } from "./SchedulingSettings.ts";
import { formatDate, wallClockAt } from "./time.ts";
import { type UserChange, UserRepository, type UserSnapshot } from "./UserRepository.ts";

/**
 * The back-office use cases. Every write recomputes the user's pending deliveries from its events in the same
 * transaction, never earlier than the year after the last one sent: a birthday moved after today's message went
 * out does not produce a second message this year.
 */

/** Dates in the future are refused: the latest calendar day anywhere on Earth (UTC+14) is the limit. */
const checkNotFuture = (field: string, date: string, now: Date): Effect.Effect<void, ValidationFailed> => {
  const latestToday = formatDate(wallClockAt(now.getTime(), "Pacific/Kiritimati"));
  if (date > latestToday) return Effect.fail(ValidationFailed.of(field, "must not be in the future"));
  if (date < "1900-01-01") return Effect.fail(ValidationFailed.of(field, "must be 1900-01-01 or later"));
  return Effect.void;
};

/** One pending delivery per event: its next occurrence after the last year already sent. */
export const pendingFor = (
  user: User,
  events: readonly YearlyEvent[],
  sentYears: Readonly<Record<string, number>>,
  now: Date,
  policy: SchedulePolicy,
): PendingDelivery[] =>
  events.map((event) => {
    const sent = sentYears[event.id];
    const next = nextOccurrence(
      { eventDate: event.date, timeZone: user.timeZone, now, ...(sent === undefined ? {} : { fromYear: sent + 1 }) },
      policy,
    );
    return { eventId: event.id, userId: user.id, occurrence: next.occurrence, sendAt: next.sendAt };
  });

const context = Effect.gen(function* () {
  const clock = yield* Clock;
  return { now: yield* clock.now, policy: yield* SchedulingSettings, users: yield* UserRepository };
});

export const createUser = Effect.fn("Scheduling.createUser")(function* (input: UserInput) {
  const { now, policy, users } = yield* context;
  yield* checkNotFuture("birthday", input.birthday, now);
  const ids = yield* Ids;
  const user: User = {
    id: yield* ids.newId,
    firstName: input.first_name.trim(),
    lastName: input.last_name.trim(),
    email: input.email ?? null,
    birthday: input.birthday,
    timeZone: input.timezone,
    createdAt: now,
    updatedAt: now,
  };
  const birthday: YearlyEvent = {
    id: yield* ids.newId,
    userId: user.id,
    type: "birthday",
    date: user.birthday,
    message: null,
    createdAt: now,
  };
  const change: UserChange = {
    user,
    events: [birthday],
    removedEventIds: [],
    pending: pendingFor(user, [birthday], {}, now, policy),
  };
  yield* users.create(change);
  return { ...change, sentYears: {}, pending: change.pending, recent: [] };
});

export const getUser = Effect.fn("Scheduling.getUser")(function* (id: string) {
  const users = yield* UserRepository;
  const found = yield* users.find(id);
  if (!found) return yield* new NotFound({ resource: "user", id });
  return found;
});

/** A user's new state after `patch` (PUT sends every field): events follow the birthday, pending is recomputed. */
const planUpdate =
  (patch: UserPatch, now: Date, policy: SchedulePolicy) =>
  (snapshot: UserSnapshot): Result.Result<UserChange, never> => {
    const current = snapshot.user;
    const user: User = {
      ...current,
      ...(patch.first_name === undefined ? {} : { firstName: patch.first_name.trim() }),
      ...(patch.last_name === undefined ? {} : { lastName: patch.last_name.trim() }),
      ...(patch.birthday === undefined ? {} : { birthday: patch.birthday }),
      ...(patch.timezone === undefined ? {} : { timeZone: patch.timezone }),
      ...(patch.email === undefined ? {} : { email: patch.email }),
      updatedAt: now,
    };
    const events = snapshot.events.map((event) =>
      event.type === "birthday" ? { ...event, date: user.birthday } : event,
    );
    return Result.succeed({
      user,
      events: events.filter((event, i) => event !== snapshot.events[i]),
      removedEventIds: [],
      pending: pendingFor(user, events, snapshot.sentYears, now, policy),
    });
  };

export const updateUser = Effect.fn("Scheduling.updateUser")(function* (id: string, patch: UserPatch) {
  const { now, policy, users } = yield* context;
  if (patch.birthday !== undefined) yield* checkNotFuture("birthday", patch.birthday, now);
  return yield* users.modify(id, planUpdate(patch, now, policy));
});

export const deleteUser = Effect.fn("Scheduling.deleteUser")(function* (id: string) {
  const { now, users } = yield* context;
  yield* users.remove(id, now);
});

export const addEvent = Effect.fn("Scheduling.addEvent")(function* (userId: string, input: EventInput) {
  const { now, policy, users } = yield* context;
  yield* checkNotFuture("date", input.date, now);
  const eventId = yield* (yield* Ids).newId;
  const details = yield* users.modify(userId, (snapshot): Result.Result<UserChange, Conflict> => {
    if (input.type === "birthday") {
      return Result.fail(new Conflict({ message: "a user has one birthday event: change the user's birthday" }));
    }
    const event: YearlyEvent = {
      id: eventId,
      userId,
      type: input.type,
      date: input.date,
      message: input.message ?? null,
      createdAt: now,
    };
    const events = [...snapshot.events, event];
    return Result.succeed({
      user: snapshot.user,
      events: [event],
      removedEventIds: [],
      pending: pendingFor(snapshot.user, events, snapshot.sentYears, now, policy),
    });
  });
  const event = details.events.find((candidate) => candidate.id === eventId);
  const pending = details.pending.find((delivery) => delivery.eventId === eventId);
  if (!event) return yield* new NotFound({ resource: "event", id: eventId });
  return { user: details.user, event, pending };
});

export const removeEvent = Effect.fn("Scheduling.removeEvent")(function* (userId: string, eventId: string) {
  const { now, policy, users } = yield* context;
  yield* users.modify(userId, (snapshot): Result.Result<UserChange, NotFound | Conflict> => {
    const event = snapshot.events.find((candidate) => candidate.id === eventId);
    if (!event) return Result.fail(new NotFound({ resource: "event", id: eventId }));
    if (event.type === "birthday") {
      return Result.fail(new Conflict({ message: "the birthday event goes with the user: delete the user instead" }));
    }
    const events = snapshot.events.filter((candidate) => candidate.id !== eventId);
    return Result.succeed({
      user: snapshot.user,
      events: [],
      removedEventIds: [eventId],
      pending: pendingFor(snapshot.user, events, snapshot.sentYears, now, policy),
    });
  });
});

export const listDeliveries = Effect.fn("Scheduling.listDeliveries")(function* (query: DeliveriesQuery) {
  const users = yield* UserRepository;
  return yield* users.listDeliveries({
    ...(query.status === undefined ? {} : { status: query.status }),
    limit: query.limit === undefined ? 100 : Number(query.limit),
  });
});
