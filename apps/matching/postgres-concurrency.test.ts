import * as ManagedRuntime from "effect/ManagedRuntime";
import { afterAll, describe, expect, it } from "vitest";
import { freshDatabase, runtimeDatabaseEnv } from "../../adapters/local-engines/testing.ts";
import { openDatabase } from "../../adapters/postgres/client.ts";
import { type UrlRequest, urlEvent } from "../http/testing.ts";
import { makeLogger } from "../observe/log.ts";
import { matchingLayer, postgresMatchingStoreFromEnv } from "../runtime/matching.ts";
import { makeMatchingHandler } from "./routes.ts";
import { chips, startMatchingFunctions } from "./testing.ts";

/**
 * One user writing their one intention from many places at once (two tabs, retries, a flaky network), on real
 * Postgres, through 8 matching functions as 8 warm Lambdas would run (each its own pool): every write answers
 * 200/201/204 or a 409 saying what won, never a 503, and the pool ends consistent.
 */
const WRITERS = 8;
const ROUNDS = 20;
/** 160 requests through sessions and Postgres: generous, for a full `npm test` on a loaded 2-core machine. */
const RACE_TIMEOUT_MS = 120_000;

const url = await freshDatabase({ migrate: true });
const fns = await startMatchingFunctions(postgresMatchingStoreFromEnv(runtimeDatabaseEnv(url)));
const quiet = makeLogger({}, () => {});
const runtimes = Array.from({ length: WRITERS }, () =>
  ManagedRuntime.make(matchingLayer(postgresMatchingStoreFromEnv(runtimeDatabaseEnv(url)), fns.env)),
);
const lambdas = runtimes.map((runtime) => makeMatchingHandler(runtime, quiet));
const db = openDatabase({ url, max: 1 });
afterAll(async () => {
  await Promise.all(runtimes.map((runtime) => runtime.dispose()));
  await db.close();
});

type Op = "PUT" | "DELETE";
const request = (op: Op, bearer: string, round: number): UrlRequest =>
  op === "PUT"
    ? { method: "PUT", path: "/intention", bearer, body: { chips: chips({ activities: [`round ${round}`] }) } }
    : { method: "DELETE", path: "/intention", bearer };

/** Each writer runs its rounds in order, all writers at once; answers as `<op> <status>: <message>`. */
const race = async (bearer: string, opOf: (writer: number, round: number) => Op) => {
  const answers = await Promise.all(
    lambdas.map(async (lambda, writer) => {
      const mine: string[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const op = opOf(writer, round);
        const result = await lambda(urlEvent(request(op, bearer, round)));
        const message = result.statusCode >= 400 ? `: ${JSON.parse(result.body).error.message}` : "";
        mine.push(`${op} ${result.statusCode}${message}`);
      }
      return mine;
    }),
  );
  return answers.flat();
};

/** The user's rows: active intentions, and the pool entries with whether their intention is still active. */
const stateOf = async (userId: string) => {
  const active = await db.sql<{ id: string }[]>`
    select id from intentions where user_id = ${userId} and ended_at is null`;
  const pooled = await db.sql<{ intention_id: string; ended: boolean }[]>`
    select p.intention_id, i.ended_at is not null as ended
    from pool_entries p join intentions i on i.id = p.intention_id where p.user_id = ${userId}`;
  return { active: active.map((row) => row.id), pooled };
};

const tally = (answers: readonly string[]) =>
  answers.reduce<Record<string, number>>((counts, answer) => {
    counts[answer] = (counts[answer] ?? 0) + 1;
    return counts;
  }, {});

describe("concurrent writes of one user's intention on Postgres", () => {
  it(
    `answers ${WRITERS} parallel writers x ${ROUNDS} PUTs with 201 once and 200 after, one intention in the pool`,
    async () => {
      const token = await fns.signIn("pat");
      const answers = await race(token, () => "PUT");
      expect(tally(answers)).toEqual({ "PUT 201": 1, "PUT 200": WRITERS * ROUNDS - 1 });
      const { active, pooled } = await stateOf("pat");
      expect(active).toHaveLength(1);
      expect(pooled).toEqual([{ intention_id: active[0], ended: false }]);
      const current = await fns.call({ path: "/intention", bearer: token });
      expect(current.body).toMatchObject({ intention: { id: active[0] }, pool: { tier: 0 } });
    },
    RACE_TIMEOUT_MS,
  );

  it(
    "answers mixed PUT and DELETE with 200/201/204 only, ending with one pooled intention or none",
    async () => {
      const token = await fns.signIn("quinn");
      const answers = await race(token, (writer, round) => ((writer + round) % 3 === 0 ? "DELETE" : "PUT"));
      const statuses = new Set(Object.keys(tally(answers)));
      expect([...statuses].filter((s) => !["PUT 200", "PUT 201", "DELETE 204"].includes(s))).toEqual([]);
      const { active, pooled } = await stateOf("quinn");
      expect(active.length).toBeLessThanOrEqual(1);
      expect(pooled).toEqual(active.map((id) => ({ intention_id: id, ended: false })));
      const current = await fns.call({ path: "/intention", bearer: token });
      expect(current.status).toBe(active.length === 1 ? 200 : 404);
    },
    RACE_TIMEOUT_MS,
  );
});
