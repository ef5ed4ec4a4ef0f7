import * as Schema from "effect/Schema";
import { IsoDate, MultiLineText, SingleLineText } from "../shared/schema.ts";
import { DELIVERY_STATUSES, EVENT_TYPES, unknownPlaceholders } from "./model.ts";
import { isTimeZone } from "./time.ts";

/** The scheduling API's bodies and queries (API.md), decoded at the boundary with `decodeInput`. */

// Text fields follow the shared text policy first (core/shared/schema.ts), so a NUL is named as such.
const Name = SingleLineText.check(
  Schema.makeFilter((value: string) => value.trim().length > 0 || "expected a non-empty name"),
  Schema.isMaxLength(100),
);

const TimeZone = SingleLineText.check(
  Schema.makeFilter((value: string) => isTimeZone(value) || "expected an IANA time zone such as America/New_York"),
);

const Email = SingleLineText.check(
  Schema.makeFilter(
    (value: string) => (value.length <= 254 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) || "expected an email address",
  ),
);

const Template = MultiLineText.check(
  Schema.makeFilter((value: string) => value.trim().length > 0 || "expected a non-empty message"),
  Schema.isMaxLength(500),
  Schema.makeFilter((value: string) => {
    const unknown = unknownPlaceholders(value);
    return (
      unknown.length === 0 ||
      `unknown placeholder {${unknown[0]}}; use {full_name}, {first_name}, {last_name} or {years}`
    );
  }),
);

export const UserFields = {
  first_name: Name,
  last_name: Name,
  birthday: IsoDate,
  timezone: TimeZone,
};

/** POST /users and PUT /users/{id}: every field (email optional). */
export const UserInput = Schema.Struct({ ...UserFields, email: Schema.optionalKey(Schema.NullOr(Email)) });
export type UserInput = typeof UserInput.Type;

/** PATCH /users/{id}: any subset. */
export const UserPatch = Schema.Struct({
  first_name: Schema.optionalKey(Name),
  last_name: Schema.optionalKey(Name),
  birthday: Schema.optionalKey(IsoDate),
  timezone: Schema.optionalKey(TimeZone),
  email: Schema.optionalKey(Schema.NullOr(Email)),
});
export type UserPatch = typeof UserPatch.Type;

/** POST /users/{id}/events. */
export const EventInput = Schema.Struct({
  type: Schema.Literals(EVENT_TYPES),
  date: IsoDate,
  message: Schema.optionalKey(Template),
});
export type EventInput = typeof EventInput.Type;

const Limit = Schema.String.check(
  Schema.makeFilter((value: string) => {
    const n = Number(value);
    return (/^\d+$/.test(value) && n >= 1 && n <= 500) || "expected an integer from 1 to 500";
  }),
);

/** GET /deliveries query. */
export const DeliveriesQuery = Schema.Struct({
  status: Schema.optionalKey(Schema.Literals(DELIVERY_STATUSES)),
  limit: Schema.optionalKey(Limit),
});
export type DeliveriesQuery = typeof DeliveriesQuery.Type;
