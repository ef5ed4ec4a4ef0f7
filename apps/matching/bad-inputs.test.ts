import { beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, runtimeDatabaseEnv } from "../../adapters/local-engines/testing.ts";
import type { FunctionUrlResult } from "../http/events.ts";
import { hostileTextIn } from "../http/hostile-text.ts";
import { bodyOf, type UrlRequest, urlEvent } from "../http/testing.ts";
import { postgresMatchingStoreFromEnv } from "../runtime/matching.ts";
import { chips, matchIn, startMatchingFunctions } from "./testing.ts";

/**
 * Hostile and broken requests against the matching and matcher handlers (real sessions, real Postgres, where text
 * it cannot store once answered 503): each gets its 4xx and the API.md envelope `{"error":{"code","message"}}`
 * naming the field, never a 500.
 */
const url = await freshDatabase({ migrate: true });
const fns = await startMatchingFunctions(postgresMatchingStoreFromEnv(runtimeDatabaseEnv(url)));
const tokens = { alice: "", bob: "", carol: "", dave: "", revoked: "" };
let matchId = "";

beforeAll(async () => {
  for (const user of ["alice", "bob", "carol", "dave", "revoked"] as const) tokens[user] = await fns.signIn(user);
  await fns.sessions(urlEvent({ method: "DELETE", path: "/auth/session", bearer: tokens.revoked }));
  for (const user of ["alice", "bob"] as const) {
    await fns.call({ method: "PUT", path: "/intention", bearer: tokens[user], body: { chips: chips() } });
  }
  await fns.run();
  await fns.call({ method: "PUT", path: "/intention", bearer: tokens.carol, body: { chips: chips() } });
  matchId = matchIn(await fns.call({ path: "/match", bearer: tokens.alice })).id;
});

const good = chips();
const put = (body: unknown): UrlRequest => ({ method: "PUT", path: "/intention", bearer: tokens.carol, body });
const putChips = (overrides: object) => put({ chips: { ...good, ...overrides } });
const asCarol = (method: string, path: string, body?: unknown): UrlRequest => ({
  method,
  path,
  bearer: tokens.carol,
  ...(body === undefined ? {} : { body }),
});

/** [what, request, status, error code, start of the message (the field it names)] */
type Case = [string, () => UrlRequest, number, string, string?];

/** The text policy's hostile values in one field of `PUT /intention`: each a 400 naming the field and why. */
const hostile = (field: string, body: (value: string) => object): Case[] =>
  hostileTextIn(field).map(({ name, value, message }) => [
    name,
    () => put(body(value)),
    400,
    "validation_failed",
    message,
  ]);

const cases: Case[] = [
  ...hostile("text", (value) => ({ chips: good, text: `Coffee? ${value}` })),
  ...hostile("chips.where", (value) => ({ chips: { ...good, where: value } })),
  ...hostile("chips.activities[1]", (value) => ({ chips: { ...good, activities: ["coffee", value] } })),
  ...hostile("chips.vibe[0]", (value) => ({ chips: { ...good, vibe: [value] } })),
  ...hostile("chips.dealbreakers[0]", (value) => ({ chips: { ...good, dealbreakers: [value] } })),
  ...hostile("chips.who.network", (value) => ({ chips: { ...good, who: { network: value } } })),
  ...hostile("chips.who.gender_preference", (value) => ({ chips: { ...good, who: { gender_preference: value } } })),
  ["no Authorization header", () => ({ path: "/intention" }), 401, "unauthenticated"],
  ["a Basic credential", () => ({ path: "/match", headers: { authorization: "Basic YTpi" } }), 401, "unauthenticated"],
  ["a token not shaped like a session", () => ({ path: "/match", bearer: "not-a-token" }), 401, "unauthenticated"],
  [
    "a well-formed token never issued",
    () => ({ path: "/match", bearer: `${"A".repeat(16)}.${"B".repeat(43)}` }),
    401,
    "unauthenticated",
  ],
  ["a revoked session", () => ({ path: "/intention", bearer: tokens.revoked }), 401, "unauthenticated"],
  [
    "no session before a bad body",
    () => ({ method: "POST", path: "/candidates", body: { limit: 0 } }),
    401,
    "unauthenticated",
  ],
  ["bad JSON", () => ({ ...put(undefined), rawBody: '{"chips":' }), 400, "invalid_json", "body"],
  ["NaN, which JSON cannot carry", () => ({ ...put(undefined), rawBody: '{"embedding":[NaN]}' }), 400, "invalid_json"],
  [
    "a body that is not JSON",
    () => ({ ...put(undefined), rawBody: "chips=x", headers: { "content-type": "text/plain" } }),
    415,
    "unsupported_media_type",
  ],
  ["a body over 64 KiB", () => put({ chips: good, text: "x".repeat(70_000) }), 413, "payload_too_large"],
  ["no body", () => put(undefined), 400, "validation_failed", "body"],
  ["an array body", () => put([good]), 400, "validation_failed", "body"],
  ["missing chips", () => put({ text: "hi" }), 400, "validation_failed", "chips"],
  ["where of the wrong type", () => putChips({ where: 94301 }), 400, "validation_failed", "chips.where"],
  ["a blank where", () => putChips({ where: "   " }), 400, "validation_failed", "chips.where"],
  ["an unknown time window", () => putChips({ when: ["someday"] }), 400, "validation_failed", "chips.when[0]"],
  ["no activities", () => putChips({ activities: [] }), 400, "validation_failed", "chips.activities"],
  [
    "an over-long activity list",
    () => putChips({ activities: Array.from({ length: 11 }, (_, i) => `a${i}`) }),
    400,
    "validation_failed",
    "chips.activities",
  ],
  [
    "an over-long chip",
    () => putChips({ activities: ["x".repeat(41)] }),
    400,
    "validation_failed",
    "chips.activities[0]",
  ],
  [
    "a chip with a control character",
    () => putChips({ vibe: ["chill\u0000"] }),
    400,
    "validation_failed",
    "chips.vibe[0]",
  ],
  [
    "a repeated chip",
    () => putChips({ activities: ["coffee", "coffee"] }),
    400,
    "validation_failed",
    "chips.activities",
  ],
  ["a chip that is a number", () => putChips({ dealbreakers: [7] }), 400, "validation_failed", "chips.dealbreakers[0]"],
  ["an unknown must-have", () => putChips({ must_haves: ["height"] }), 400, "validation_failed", "chips.must_haves[0]"],
  [
    "an unknown age band",
    () => putChips({ who: { age_band: "30-40" } }),
    400,
    "validation_failed",
    "chips.who.age_band",
  ],
  [
    "an unknown chip group",
    () => putChips({ colour: ["red"] }),
    400,
    "validation_failed",
    "chips.colour: unknown field",
  ],
  [
    "a misspelt must_haves",
    () => putChips({ must_have: ["where"] }),
    400,
    "validation_failed",
    "chips.must_have: unknown field",
  ],
  [
    "an unknown who field",
    () => putChips({ who: { height: "tall" } }),
    400,
    "validation_failed",
    "chips.who.height: unknown field",
  ],
  [
    "an unknown top-level field",
    () => put({ chips: good, user_id: "bob" }),
    400,
    "validation_failed",
    "user_id: unknown field",
  ],
  ["text over 1000 characters", () => put({ chips: good, text: "x".repeat(1001) }), 400, "validation_failed", "text"],
  [
    "an embedding of the wrong length",
    () => put({ chips: good, embedding: [1, 2, 3] }),
    400,
    "validation_failed",
    "embedding: expected 4 numbers, got 3",
  ],
  [
    "an infinite embedding value",
    () => ({ ...put(undefined), rawBody: `{"chips":${JSON.stringify(good)},"embedding":[1,2,3,1e999]}` }),
    400,
    "validation_failed",
    "embedding[3]",
  ],
  [
    "an embedding value that is a string",
    () => put({ chips: good, embedding: [1, 2, "NaN", 4] }),
    400,
    "validation_failed",
    "embedding[2]",
  ],
  ["an all-zero embedding", () => put({ chips: good, embedding: [0, 0, 0, 0] }), 400, "validation_failed", "embedding"],
  [
    "an over-long embedding",
    () => put({ chips: good, embedding: Array(1025).fill(1) }),
    400,
    "validation_failed",
    "embedding",
  ],
  ["accepting someone else's match", () => asCarol("POST", `/match/${matchId}/accept`), 403, "forbidden"],
  ["declining someone else's match", () => asCarol("POST", `/match/${matchId}/decline`), 403, "forbidden"],
  [
    "feedback on someone else's match",
    () => asCarol("POST", `/match/${matchId}/feedback`, { matched_on: [], was_accurate: true }),
    403,
    "forbidden",
  ],
  ["an unknown match id", () => asCarol("POST", "/match/no-such-match/accept"), 404, "not_found"],
  ["a match id with a NUL", () => asCarol("POST", "/match/%00/decline"), 404, "not_found"],
  ["an over-long match id", () => asCarol("POST", `/match/${"m".repeat(300)}/decline`), 404, "not_found"],
  ["a malformed escape in the match id", () => asCarol("POST", "/match/%zz/accept"), 404, "route_not_found"],
  [
    "a body on accept",
    () => ({ ...asCarol("POST", `/match/${matchId}/accept`, { status: "accepted" }), bearer: tokens.alice }),
    400,
    "validation_failed",
    "status: unknown field",
  ],
  [
    "feedback on an unknown chip group",
    () => ({
      ...asCarol("POST", `/match/${matchId}/feedback`, { matched_on: ["height"], was_accurate: true }),
      bearer: tokens.alice,
    }),
    400,
    "validation_failed",
    "matched_on[0]",
  ],
  [
    "feedback with was_accurate as a string",
    () => ({
      ...asCarol("POST", `/match/${matchId}/feedback`, { matched_on: [], was_accurate: "yes" }),
      bearer: tokens.alice,
    }),
    400,
    "validation_failed",
    "was_accurate",
  ],
  [
    "feedback without a body",
    () => ({ ...asCarol("POST", `/match/${matchId}/feedback`), bearer: tokens.alice }),
    400,
    "validation_failed",
    "body",
  ],
  ["a limit of 0", () => asCarol("POST", "/candidates", { limit: 0 }), 400, "validation_failed", "limit"],
  ["a limit of 51", () => asCarol("POST", "/candidates", { limit: 51 }), 400, "validation_failed", "limit"],
  ["a fractional limit", () => asCarol("POST", "/candidates", { limit: 2.5 }), 400, "validation_failed", "limit"],
  [
    "a limit that is a string",
    () => asCarol("POST", "/candidates", { limit: "ten" }),
    400,
    "validation_failed",
    "limit",
  ],
  [
    "an unknown candidates field",
    () => asCarol("POST", "/candidates", { city: "Oakland" }),
    400,
    "validation_failed",
    "city: unknown field",
  ],
  [
    "candidates when not in the pool",
    () => ({ method: "POST", path: "/candidates", bearer: tokens.dave }),
    404,
    "not_found",
  ],
  ["a match when there is none", () => asCarol("GET", "/match"), 404, "not_found"],
  ["an intention when not in the pool", () => ({ path: "/intention", bearer: tokens.dave }), 404, "not_found"],
  ["a new intention while matched", () => ({ ...put({ chips: good }), bearer: tokens.bob }), 409, "conflict"],
  ["an unknown route", () => asCarol("GET", "/matches"), 404, "route_not_found"],
  ["the wrong method", () => asCarol("PATCH", "/intention", { chips: good }), 405, "method_not_allowed"],
];

const expectEnvelope = (result: FunctionUrlResult, status: number, code: string, message?: string) => {
  expect(result.statusCode).toBe(status);
  const body = bodyOf(result) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(0);
  if (message) expect(body.error.message.startsWith(message), body.error.message).toBe(true);
  expect(result.headers["x-request-id"]).toBeTruthy();
};

describe("the matching function refuses bad input", () => {
  it.each(cases)("%s", async (_name, request, status, code, message) => {
    expectEnvelope(await fns.matching(urlEvent(request())), status, code, message);
  });
});

describe("the matcher function refuses bad input", () => {
  it.each<Case>([
    [
      "an unknown trigger",
      () => ({ method: "POST", path: "/run", body: { trigger: "cron" } }),
      400,
      "validation_failed",
      "trigger",
    ],
    [
      "an unknown field",
      () => ({ method: "POST", path: "/run", body: { pool: "all" } }),
      400,
      "validation_failed",
      "pool: unknown field",
    ],
    ["bad JSON", () => ({ method: "POST", path: "/run", rawBody: "{" }), 400, "invalid_json"],
    ["the wrong method", () => ({ path: "/run" }), 405, "method_not_allowed"],
    ["an unknown route", () => ({ method: "POST", path: "/runs" }), 404, "route_not_found"],
  ])("%s", async (_name, request, status, code, message) => {
    expectEnvelope((await fns.matcher(urlEvent(request()))) as FunctionUrlResult, status, code, message);
  });
});
