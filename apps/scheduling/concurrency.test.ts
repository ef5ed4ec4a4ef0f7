import * as ManagedRuntime from "effect/ManagedRuntime";
import { afterAll, describe, expect, it } from "vitest";
import { freshDatabase, runtimeDatabaseEnv } from "../../adapters/local-engines/testing.ts";
import { openDatabase } from "../../adapters/postgres/client.ts";
import { bodyOf, type UrlRequest, urlEvent } from "../http/testing.ts";
import { makeLogger } from "../observe/log.ts";
import { setClockSource } from "../runtime/clock.ts";
import { apiLayerFromEnv } from "../runtime/scheduling.ts";
import { makeSchedulingHandler } from "./routes.ts";

/**
 * One user changed from many places at once, on real Postgres, through 8 scheduling API functions as 8 warm
 * Lambdas would run (each its own pool): every write answers its 2xx, or 404 once the user is gone, never a 5xx;
 * the user ends with exactly one pending delivery per live event, or with none once deleted.
 */
const WRITERS = 8;
const ROUNDS = 10;
/** 80 requests on Postgres: generous, for a full `npm test` on a loaded 2-core machine. */
const RACE_TIMEOUT_MS = 120_000;

const url = await freshDatabase({ migrate: true });
setClockSource(() => new Date("2026-03-01T00:00:00Z"));
const quiet = makeLogger({}, () => {});
const runtimes = Array.from({ length: WRITERS }, () => ManagedRuntime.make(apiLayerFromEnv(runtimeDatabaseEnv(url))));
const lambdas = runtimes.map((runtime) => makeSchedulingHandler(runtime, quiet));
const db = openDatabase({ url, max: 1 });
afterAll(async () => {
  await Promise.all(runtimes.map((runtime) => runtime.dispose()));
  await db.close();
});

type Lambda = (typeof lambdas)[number];
const call = async (lambda: Lambda, request: UrlRequest) => {
  const result = await lambda(urlEvent(request));
  return { status: result.statusCode, body: bodyOf(result) as Record<string, unknown> };
};
const [first] = lambdas as [Lambda];

const newUser = async () => {
  const body = { first_name: "Ada", last_name: "King", birthday: "1990-03-07", timezone: "Europe/London" };
  const created = await call(first, { method: "POST", path: "/users", body });
  expect(created.status).toBe(201);
  return String(created.body.id);
};

/** Each writer runs its rounds in order, all writers at once; the statuses, counted. */
const race = async (request: (writer: number, round: number) => UrlRequest) => {
  const statuses = await Promise.all(
    lambdas.map(async (lambda, writer) => {
      const mine: number[] = [];
      for (let round = 0; round < ROUNDS; round++) mine.push((await call(lambda, request(writer, round))).status);
      return mine;
    }),
  );
  return [...new Set(statuses.flat())].sort();
};

const unfinished = (userId: string) => db.sql<{ event_id: string; status: string }[]>`
  select d.event_id, d.status from deliveries d join yearly_events e on e.id = d.event_id
  where d.user_id = ${userId} and d.status in ('pending', 'claimed', 'queued') and e.deleted_at is null`;

describe("concurrent writes of one scheduling user on Postgres", () => {
  it(
    "answers PATCH and new events from 8 writers with 200/201 and keeps one pending delivery per event",
    async () => {
      const userId = await newUser();
      const statuses = await race((writer, round) =>
        writer % 4 === 3
          ? { method: "POST", path: `/users/${userId}/events`, body: { type: "anniversary", date: "2016-06-18" } }
          : { method: "PATCH", path: `/users/${userId}`, body: { birthday: `1990-0${1 + (round % 9)}-1${writer}` } },
      );
      expect(statuses).toEqual([200, 201]);
      const events = (await call(first, { path: `/users/${userId}` })).body.events as unknown[];
      expect(events).toHaveLength(1 + 2 * ROUNDS);
      const pending = await unfinished(userId);
      expect(new Set(pending.map((row) => row.event_id)).size).toBe(events.length);
      expect(pending).toHaveLength(events.length);
    },
    RACE_TIMEOUT_MS,
  );

  it(
    "answers a DELETE racing PATCHes with 204, the PATCHes with 200 or 404, and leaves nothing to deliver",
    async () => {
      const userId = await newUser();
      const statuses = await race((writer, round) =>
        writer === 0 && round === ROUNDS / 2
          ? { method: "DELETE", path: `/users/${userId}` }
          : { method: "PATCH", path: `/users/${userId}`, body: { first_name: `Ada ${writer}.${round}` } },
      );
      expect(statuses.filter((status) => ![200, 204, 404].includes(status))).toEqual([]);
      expect((await call(first, { path: `/users/${userId}` })).status).toBe(404);
      const [left] = await db.sql<{ n: number }[]>`
        select count(*)::int as n from deliveries where user_id = ${userId} and status in ('pending', 'claimed', 'queued')`;
      expect(left?.n).toBe(0);
    },
    RACE_TIMEOUT_MS,
  );
});
