import * as ManagedRuntime from "effect/ManagedRuntime";
import { describe, expect, it } from "vitest";
import { freshDatabase, runtimeDatabaseEnv } from "../../adapters/local-engines/testing.ts";
import { openDatabase } from "../../adapters/postgres/client.ts";
import { BATCH_LOCK_KEY } from "../../adapters/postgres/matching/batch.ts";
import { bodyOf, urlEvent } from "../http/testing.ts";
import { makeLogger } from "../observe/log.ts";
import { matchingLayer, postgresMatchingStoreFromEnv } from "../runtime/matching.ts";
import { makeMatchingHandler } from "./routes.ts";
import { chips, matchIn, startMatchingFunctions } from "./testing.ts";

/**
 * The matching and matcher handlers on real Postgres, wired exactly as the functions are (the store from
 * DATABASE_URL, as the matching role), with Bearer sessions from the sessions function: the whole journey, the ownership checks, and
 * a run that finds the batch lock taken by another matcher.
 */
const url = await freshDatabase({ migrate: true });
const fns = await startMatchingFunctions(postgresMatchingStoreFromEnv(runtimeDatabaseEnv(url)));
const { call, signIn, run } = fns;

const join = (token: string, where: string) =>
  call({ method: "PUT", path: "/intention", bearer: token, body: { chips: chips({ where, must_haves: ["where"] }) } });

describe("the matching functions on Postgres", () => {
  it("pairs, accepts, declines and records feedback, each user seeing only their own match", async () => {
    const [ana, ben, cy, dee] = (await Promise.all(["ana", "ben", "cy", "dee"].map(signIn))) as [
      string,
      string,
      string,
      string,
    ];
    for (const [token, city] of [
      [ana, "Palo Alto"],
      [ben, "Palo Alto"],
      [cy, "Oakland"],
      [dee, "Oakland"],
    ] as const) {
      expect((await join(token, city)).status).toBe(201);
    }
    expect((await join(ana, "Palo Alto")).status).toBe(200);
    const ranked = await call({ method: "POST", path: "/candidates", bearer: ana, body: { limit: 3 } });
    expect(ranked.body).toMatchObject({ candidates: [{ user_id: "ben" }] });

    expect(await run()).toMatchObject({ status: "completed", pool_size: 4, pairs_created: 2, by_tier: { "0": 2 } });
    const anaMatch = matchIn(await call({ path: "/match", bearer: ana }));
    const cyMatch = matchIn(await call({ path: "/match", bearer: cy }));
    expect([anaMatch.partner.user_id, cyMatch.partner.user_id]).toEqual(["ben", "dee"]);

    const stranger = await call({ method: "POST", path: `/match/${anaMatch.id}/accept`, bearer: cy });
    expect(stranger.status).toBe(403);
    const unknown = "0190a3c4-0000-7000-8000-000000000000";
    expect((await call({ method: "POST", path: `/match/${unknown}/accept`, bearer: ana })).status).toBe(404);
    expect((await call({ method: "POST", path: "/match/not-a-uuid/accept", bearer: ana })).status).toBe(404);

    await call({ method: "POST", path: `/match/${anaMatch.id}/accept`, bearer: ana });
    const accepted = await call({ method: "POST", path: `/match/${anaMatch.id}/accept`, bearer: ben });
    expect(accepted.body).toMatchObject({ match: { status: "accepted", accepted_by_partner: true } });
    const feedback = { matched_on: ["where"], was_accurate: false };
    const sent = await call({
      method: "POST",
      path: `/match/${anaMatch.id}/feedback`,
      bearer: ben,
      body: feedback,
    });
    expect(sent.status).toBe(204);

    const declined = await call({ method: "POST", path: `/match/${cyMatch.id}/decline`, bearer: cy });
    expect(declined.body).toMatchObject({ match: { status: "declined" } });
    expect((await call({ path: "/intention", bearer: dee })).body).toMatchObject({ pool: { tier: 0 } });
    expect((await run()).pairs_created).toBe(0);
    expect((await call({ path: "/match", bearer: cy })).status).toBe(404);
    expect((await call({ method: "DELETE", path: "/intention", bearer: cy })).status).toBe(204);
    expect((await call({ path: "/intention", bearer: cy })).status).toBe(404);

    const health = await call({ path: "/health" });
    expect(health.body).toMatchObject({ status: "healthy", checks: { database: "ok", sessions_table: "ok" } });
  });

  it("reports skipped_locked while another matcher holds the batch lock, and completes once it is free", async () => {
    const other = openDatabase({ url, max: 1 });
    try {
      await other.sql.begin(async (tx) => {
        await tx`select pg_advisory_xact_lock(${BATCH_LOCK_KEY}::bigint)`;
        expect(await run()).toMatchObject({ status: "skipped_locked", pool_size: 0, pairs_created: 0 });
      });
      expect((await run()).status).toBe("completed");
    } finally {
      await other.close();
    }
  });

  it("answers 503 naming the database when it is down, never a 500", async () => {
    const down = postgresMatchingStoreFromEnv(runtimeDatabaseEnv("postgres://nobody@127.0.0.1:1/none"));
    const runtime = ManagedRuntime.make(matchingLayer(down, fns.env));
    const handler = makeMatchingHandler(
      runtime,
      makeLogger({}, () => {}),
    );
    try {
      const health = await handler(urlEvent({ path: "/health" }));
      expect(health.statusCode).toBe(503);
      expect(bodyOf(health)).toMatchObject({
        status: "unhealthy",
        checks: { database: "failed", sessions_table: "ok" },
      });
      const token = await signIn("eve");
      const answer = await handler(urlEvent({ path: "/match", bearer: token }));
      expect(answer.statusCode).toBe(503);
      expect(bodyOf(answer)).toEqual({
        error: { code: "dependency_unavailable", message: "database is unavailable" },
      });
    } finally {
      await runtime.dispose();
    }
  });
});
