import type { Delivery, PendingDelivery, YearlyEvent } from "../../core/scheduling/model.ts";
import { formatLocalDateTime, wallClockAt } from "../../core/scheduling/time.ts";
import type { UserDetails } from "../../core/scheduling/UserRepository.ts";
import { toIsoUtc } from "../../core/shared/schema.ts";

/** The scheduling API's JSON (API.md): snake_case, instants in UTC with `Z`, local send times as `YYYY-MM-DDTHH:mm`. */

export const nextMessageView = (pending: PendingDelivery, type: string, timeZone: string) => ({
  event_id: pending.eventId,
  type,
  occurrence: pending.occurrence,
  send_at: toIsoUtc(pending.sendAt),
  local_send_at: formatLocalDateTime(wallClockAt(pending.sendAt.getTime(), timeZone)),
});

export const eventView = (event: YearlyEvent, pending: PendingDelivery | undefined, timeZone: string) => ({
  id: event.id,
  type: event.type,
  date: event.date,
  message: event.message,
  next_send_at: pending ? toIsoUtc(pending.sendAt) : null,
  local_send_at: pending ? formatLocalDateTime(wallClockAt(pending.sendAt.getTime(), timeZone)) : null,
});

export const deliveryView = (delivery: Delivery) => ({
  id: delivery.id,
  user_id: delivery.userId,
  event_id: delivery.eventId,
  occurrence: delivery.occurrence,
  send_at: toIsoUtc(delivery.sendAt),
  status: delivery.status,
  attempts: delivery.attempts,
  last_error: delivery.lastError,
  updated_at: toIsoUtc(delivery.updatedAt),
});

export const userView = (details: Omit<UserDetails, "pending"> & { pending: readonly PendingDelivery[] }) => {
  const { user } = details;
  const typeOf = new Map(details.events.map((event) => [event.id, event.type]));
  return {
    id: user.id,
    first_name: user.firstName,
    last_name: user.lastName,
    email: user.email,
    birthday: user.birthday,
    timezone: user.timeZone,
    created_at: toIsoUtc(user.createdAt),
    updated_at: toIsoUtc(user.updatedAt),
    events: details.events.map((event) =>
      eventView(
        event,
        details.pending.find((p) => p.eventId === event.id),
        user.timeZone,
      ),
    ),
    next_messages: details.pending.map((p) => nextMessageView(p, typeOf.get(p.eventId) ?? "unknown", user.timeZone)),
    deliveries: details.recent.map(deliveryView),
  };
};
