import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { hostileTextIn } from "../http/hostile-text.ts";
import type { UrlRequest } from "../http/testing.ts";
import { startSchedulingApi } from "./api-testing.ts";

/**
 * Broken and hostile requests against the real scheduling handler (real Postgres): each gets its 4xx and the
 * documented envelope `{"error":{"code","message"}}`, the message naming the field and why; never a 500.
 */
let call: Awaited<ReturnType<typeof startSchedulingApi>>["call"];
let userId = "";
let birthdayEventId = "";
beforeAll(async () => {
  ({ call } = await startSchedulingApi("2026-03-01T00:00:00Z"));
  const created = await call({ method: "POST", path: "/users", body: { ...valid } });
  userId = String(created.body.id);
  birthdayEventId = String((created.body.events as Array<{ id: string }>)[0]?.id);
});
afterAll(() => vi.restoreAllMocks());

const valid = { first_name: "Ada", last_name: "King", birthday: "1990-03-07", timezone: "Europe/London" };
const UNKNOWN = "0193a8f0-0000-7000-8000-000000000000";
const createUser = (body: unknown): UrlRequest => ({ method: "POST", path: "/users", body });
const withField = (field: string, value: unknown) => createUser({ ...valid, [field]: value });
const addEvent = (body: unknown) => (): UrlRequest => ({ method: "POST", path: `/users/${userId}/events`, body });

type Case = [string, () => UrlRequest, number, string, RegExp?];
const startingWith = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`);
/** The text policy's hostile values in `field`: each a 400 naming the field and why (never stored, never a 503). */
const hostile = (field: string, request: (value: string) => UrlRequest): Case[] =>
  hostileTextIn(field).map(({ name, value, message }) => [
    name,
    () => request(value),
    400,
    "validation_failed",
    startingWith(message),
  ]);

const cases: Case[] = [
  ...hostile("first_name", (value) => withField("first_name", value)),
  ...hostile("last_name", (value) => ({ method: "PATCH", path: `/users/${userId}`, body: { last_name: value } })),
  ...hostile("email", (value) => withField("email", `${value}@example.com`)),
  ...hostile("timezone", (value) => ({ method: "PUT", path: `/users/${userId}`, body: { ...valid, timezone: value } })),
  ...hostile("message", (value) => addEvent({ type: "anniversary", date: "2016-06-18", message: `Hi ${value}` })()),
  [
    "a line feed in a name (allowed only in messages)",
    () => withField("first_name", "Ada\nKing"),
    400,
    "validation_failed",
    /^first_name: contains a control character \(U\+000A\)/,
  ],
  ["bad JSON", () => ({ method: "POST", path: "/users", rawBody: '{"first_name":' }), 400, "invalid_json", /body/],
  ["no body", () => ({ method: "POST", path: "/users" }), 400, "validation_failed", /^body/],
  ["an array body", () => createUser([valid]), 400, "validation_failed", /^body/],
  ["a JSON null body", () => ({ method: "POST", path: "/users", rawBody: "null" }), 400, "validation_failed"],
  [
    "a missing first_name",
    () => createUser({ ...valid, first_name: undefined }),
    400,
    "validation_failed",
    /^first_name/,
  ],
  ["a numeric first_name", () => withField("first_name", 42), 400, "validation_failed", /^first_name/],
  [
    "a blank last_name",
    () => withField("last_name", "   "),
    400,
    "validation_failed",
    /^last_name: expected a non-empty/,
  ],
  ["a 101-character last_name", () => withField("last_name", "x".repeat(101)), 400, "validation_failed", /^last_name/],
  [
    "an impossible date 2023-02-30",
    () => withField("birthday", "2023-02-30"),
    400,
    "validation_failed",
    /^birthday: expected a real date/,
  ],
  ["a 13th month", () => withField("birthday", "1990-13-01"), 400, "validation_failed", /^birthday/],
  ["a date in another format", () => withField("birthday", "07/03/1990"), 400, "validation_failed", /^birthday/],
  ["a birthday as a number", () => withField("birthday", 19900307), 400, "validation_failed", /^birthday/],
  [
    "a future birthday",
    () => withField("birthday", "2026-03-05"),
    400,
    "validation_failed",
    /^birthday: must not be in the future/,
  ],
  ["a birthday before 1900", () => withField("birthday", "1899-12-31"), 400, "validation_failed", /^birthday/],
  [
    "an unknown time zone",
    () => withField("timezone", "Mars/Olympus_Mons"),
    400,
    "validation_failed",
    /^timezone: expected an IANA/,
  ],
  ["a UTC offset instead of a zone", () => withField("timezone", "+05:30"), 400, "validation_failed", /^timezone/],
  ["a time zone of the wrong type", () => withField("timezone", ["UTC"]), 400, "validation_failed", /^timezone/],
  ["a malformed email", () => withField("email", "ada-at-example"), 400, "validation_failed", /^email/],
  ["a body over 64 KiB", () => withField("first_name", "x".repeat(70_000)), 413, "payload_too_large"],
  [
    "a text body",
    () => ({ method: "POST", path: "/users", rawBody: "a=1", headers: { "content-type": "text/plain" } }),
    415,
    "unsupported_media_type",
  ],
  ["an id that is not a UUID", () => ({ path: "/users/42" }), 404, "not_found", /user/],
  ["an unknown user id", () => ({ path: `/users/${UNKNOWN}` }), 404, "not_found", /user/],
  [
    "a user id with a NUL",
    () => ({ method: "PATCH", path: "/users/%00", body: { first_name: "X" } }),
    404,
    "not_found",
  ],
  [
    "a PUT missing the time zone",
    () => ({ method: "PUT", path: `/users/${userId}`, body: { ...valid, timezone: undefined } }),
    400,
    "validation_failed",
    /^timezone/,
  ],
  [
    "a PATCH with an impossible date",
    () => ({ method: "PATCH", path: `/users/${userId}`, body: { birthday: "2024-02-30" } }),
    400,
    "validation_failed",
    /^birthday/,
  ],
  [
    "a PATCH with a future birthday",
    () => ({ method: "PATCH", path: `/users/${userId}`, body: { birthday: "2027-01-01" } }),
    400,
    "validation_failed",
    /^birthday/,
  ],
  ["an unknown field", () => withField("nickname", "Ada"), 400, "validation_failed", /^nickname: unknown field/],
  [
    "a PATCH with a misspelt timezone",
    () => ({ method: "PATCH", path: `/users/${userId}`, body: { time_zone: "Asia/Tokyo" } }),
    400,
    "validation_failed",
    /^time_zone: unknown field/,
  ],
  [
    "a PATCH of an unknown user",
    () => ({ method: "PATCH", path: `/users/${UNKNOWN}`, body: { first_name: "X" } }),
    404,
    "not_found",
  ],
  ["a DELETE of an unknown user", () => ({ method: "DELETE", path: `/users/${UNKNOWN}` }), 404, "not_found"],
  ["an unknown event type", addEvent({ type: "wedding", date: "2016-06-18" }), 400, "validation_failed", /^type/],
  ["an event without a date", addEvent({ type: "anniversary" }), 400, "validation_failed", /^date/],
  [
    "an event in the future",
    addEvent({ type: "anniversary", date: "2030-01-01" }),
    400,
    "validation_failed",
    /^date: must not be in the future/,
  ],
  [
    "a template with an unknown placeholder",
    addEvent({ type: "anniversary", date: "2016-06-18", message: "Hi {nickname}" }),
    400,
    "validation_failed",
    /^message: unknown placeholder \{nickname\}/,
  ],
  [
    "an unknown event field",
    addEvent({ type: "anniversary", date: "2016-06-18", note: "x" }),
    400,
    "validation_failed",
    /^note: unknown field/,
  ],
  ["a second birthday event", addEvent({ type: "birthday", date: "1990-03-08" }), 409, "conflict"],
  [
    "an event for an unknown user",
    () => ({ method: "POST", path: `/users/${UNKNOWN}/events`, body: { type: "anniversary", date: "2016-06-18" } }),
    404,
    "not_found",
  ],
  [
    "removing an unknown event",
    () => ({ method: "DELETE", path: `/users/${userId}/events/${UNKNOWN}` }),
    404,
    "not_found",
    /event/,
  ],
  [
    "removing the birthday event",
    () => ({ method: "DELETE", path: `/users/${userId}/events/${birthdayEventId}` }),
    409,
    "conflict",
  ],
  [
    "an unknown delivery status",
    () => ({ path: "/deliveries", query: "status=lost" }),
    400,
    "validation_failed",
    /^status/,
  ],
  [
    "a zero limit",
    () => ({ path: "/deliveries", query: "limit=0" }),
    400,
    "validation_failed",
    /^limit: expected an integer/,
  ],
  [
    "a limit that is not a number",
    () => ({ path: "/deliveries", query: "limit=ten" }),
    400,
    "validation_failed",
    /^limit/,
  ],
  ["a wrong method", () => ({ method: "PATCH", path: "/users" }), 405, "method_not_allowed"],
  ["an unknown route", () => ({ path: "/birthdays" }), 404, "route_not_found"],
];

describe("bad inputs to the scheduling API", () => {
  it.each(cases)("%s", async (_name, request, status, code, message) => {
    const answer = await call(request());
    expect(answer.status).toBe(status);
    const error = answer.body.error as { code: string; message: string };
    expect(error.code).toBe(code);
    expect(typeof error.message).toBe("string");
    if (message) expect(error.message).toMatch(message);
  });

  it("left the one valid user and its one pending message as they were", async () => {
    const answer = await call({ path: `/users/${userId}` });
    expect(answer.body).toMatchObject({ first_name: "Ada", birthday: "1990-03-07", timezone: "Europe/London" });
    expect(answer.body.next_messages).toHaveLength(1);
  });
});
