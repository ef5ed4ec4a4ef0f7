import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import * as ManagedRuntime from "effect/ManagedRuntime";
import { describe, expect, it } from "vitest";
import { makeMemoryMatchingStore } from "../../adapters/memory/matching.ts";
import { MatchingStore } from "../../core/matching/MatchingStore.ts";
import { DependencyUnavailable } from "../../core/shared/errors.ts";
import type { FunctionUrlResult } from "../http/events.ts";
import { bodyOf, scheduledEvent, urlEvent } from "../http/testing.ts";
import { makeLogger } from "../observe/log.ts";
import { matcherLayer } from "../runtime/matching.ts";
import { makeMatcherHandler } from "./matcher.ts";
import { chips, HOUR, matchIn, startMatchingFunctions } from "./testing.ts";

/**
 * Every matching route and the matcher, through real-shaped function-URL events with Bearer sessions from the
 * sessions function, on the memory store. Each test uses its own city with `where` as a must-have, so the
 * matcher never pairs one test's people with another's.
 */
const memory = makeMemoryMatchingStore();
const fns = await startMatchingFunctions(memory.layer);
const { call, signIn, run, clock } = fns;

const join = async (token: string, where: string, extra: object = {}) =>
  call({
    method: "PUT",
    path: "/intention",
    bearer: token,
    body: { chips: chips({ where, must_haves: ["where"] }), ...extra },
  });

describe("the matching function", () => {
  it("joins the pool, ranks candidates, is paired by the matcher, and both sides accept", async () => {
    const [alice, bob] = [await signIn("alice"), await signIn("bob")];
    const joined = await join(alice, "Palo Alto", { text: "coffee on Saturday?", embedding: [0.1, 0.2, 0.3, 0.4] });
    expect(joined.status).toBe(201);
    expect(joined.result.headers["x-request-id"]).toBeTruthy();
    expect(joined.body).toMatchObject({
      intention: { text: "coffee on Saturday?", embedding: [0.1, 0.2, 0.3, 0.4], chips: { where: "Palo Alto" } },
      pool: {
        tier: 0,
        joined_at: "2026-11-23T09:00:00.000Z",
        expires_at: "2026-11-26T09:00:00.000Z",
        next_batch_at: "2026-11-23T12:00:00.000Z",
      },
    });
    expect((await join(alice, "Palo Alto")).status).toBe(200); // a new intention replaces the old one
    await join(bob, "Palo Alto");

    const ranked = await call({ method: "POST", path: "/candidates", bearer: alice, body: { limit: 5 } });
    expect(ranked.status).toBe(200);
    const candidates = (ranked.body as { candidates: Array<Record<string, unknown>> }).candidates;
    expect(candidates.map((c) => c.user_id)).toEqual(["bob"]);
    expect(candidates[0]).toMatchObject({ score: expect.any(Number), matched_on: expect.arrayContaining(["where"]) });
    expect((await call({ method: "POST", path: "/candidates", bearer: bob })).status).toBe(200); // the body is optional

    expect(await run()).toMatchObject({ status: "completed", pairs_created: 1, by_tier: { "0": 1 } });
    const [ofAlice, ofBob] = [
      await call({ path: "/match", bearer: alice }),
      await call({ path: "/match", bearer: bob }),
    ];
    expect(ofAlice.status).toBe(200);
    expect(matchIn(ofAlice)).toMatchObject({ partner: { user_id: "bob" }, status: "proposed", tier: 0, relaxed: [] });
    // Matches last the policy's matchTtlHours (7 days by default) from the batch that made them.
    expect(matchIn(ofAlice)).toMatchObject({
      created_at: "2026-11-23T09:00:00.000Z",
      expires_at: "2026-11-30T09:00:00.000Z",
    });
    expect(matchIn(ofBob)).toMatchObject({ id: matchIn(ofAlice).id, partner: { user_id: "alice" } });
    expect(Object.keys(matchIn(ofAlice)).sort()).toEqual(
      [
        "accepted_by_partner",
        "accepted_by_you",
        "created_at",
        "expires_at",
        "id",
        "matched_on",
        "partner",
        "relaxed",
        "score",
        "status",
        "tier",
      ].sort(),
    );

    const mine = await call({ path: "/intention", bearer: alice });
    expect(mine.body).toMatchObject({ pool: null, match: { partner: { user_id: "bob" } } });
    expect((await join(alice, "Palo Alto")).status).toBe(409); // not while matched

    const id = matchIn(ofAlice).id;
    const first = await call({ method: "POST", path: `/match/${id}/accept`, bearer: alice });
    expect(first.body).toMatchObject({
      match: { status: "proposed", accepted_by_you: true, accepted_by_partner: false },
    });
    const both = await call({ method: "POST", path: `/match/${id}/accept`, bearer: bob });
    expect(both.body).toMatchObject({
      match: { status: "accepted", accepted_by_you: true, accepted_by_partner: true },
    });
    const feedback = { matched_on: ["where", "when"], was_accurate: true };
    const sent = await call({ method: "POST", path: `/match/${id}/feedback`, bearer: bob, body: feedback });
    expect(sent.status).toBe(204);
    expect(memory.feedback).toContainEqual({
      matchId: id,
      userId: "bob",
      matchedOn: ["where", "when"],
      wasAccurate: true,
    });
  });

  it("a decline sends both back to the pool, and the pair is never proposed again", async () => {
    const [carol, dave] = [await signIn("carol"), await signIn("dave")];
    await join(carol, "Oakland");
    await join(dave, "Oakland");
    await run();
    const id = matchIn(await call({ path: "/match", bearer: carol })).id;
    const declined = await call({ method: "POST", path: `/match/${id}/decline`, bearer: dave });
    expect(declined.status).toBe(200);
    expect(declined.body).toMatchObject({ match: { status: "declined", partner: { user_id: "carol" } } });
    for (const token of [carol, dave]) {
      expect((await call({ path: "/intention", bearer: token })).body).toMatchObject({ pool: { tier: 0 } });
    }
    expect((await call({ method: "POST", path: "/candidates", bearer: carol })).body).toEqual({ candidates: [] });
    expect((await run()).pairs_created).toBe(0);
    expect((await call({ path: "/match", bearer: carol })).status).toBe(404);
    expect((await call({ method: "POST", path: `/match/${id}/accept`, bearer: carol })).status).toBe(409);
    for (const token of [carol, dave]) {
      expect((await call({ method: "DELETE", path: "/intention", bearer: token })).status).toBe(204);
    }
  });

  it("shows the tier waiting has reached, and leaving the pool ends the intention", async () => {
    const erin = await signIn("erin");
    await join(erin, "Berlin");
    clock.advance(25 * HOUR);
    const waiting = await call({ path: "/intention", bearer: erin });
    expect(waiting.body).toMatchObject({ pool: { tier: 1, next_batch_at: "2026-11-24T12:00:00.000Z" } });
    expect((waiting.body as object & { match?: unknown }).match).toBeUndefined();
    expect((await call({ method: "DELETE", path: "/intention", bearer: erin })).status).toBe(204);
    expect((await call({ method: "DELETE", path: "/intention", bearer: erin })).status).toBe(204);
    const gone = await call({ path: "/intention", bearer: erin });
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ error: { code: "not_found", message: "intention not found" } });
  });

  it("logs who called each route, never the session token", async () => {
    const frank = await signIn("frank");
    fns.logs.length = 0;
    await call({ path: "/match", bearer: frank });
    await call({ path: "/intention", bearer: `${frank}x` });
    const logs = fns.logs.join("\n");
    expect(fns.logs).toHaveLength(2);
    expect(logs).toContain('"user_id":"frank"');
    expect(logs).toContain('"route":"/match","status":404');
    expect(logs).not.toContain(frank.split(".")[1]);
  });

  it("checks the database and the sessions table on GET /health, without a session", async () => {
    const health = await call({ path: "/health" });
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: "healthy", checks: { database: "ok", sessions_table: "ok" } });
  });
});

describe("the matcher function", () => {
  it("runs on its schedule and answers the run report", async () => {
    const report = await fns.matcher(scheduledEvent("matcher", clock.now()));
    expect(Object.keys(report as object).sort()).toEqual(
      ["by_tier", "duration_ms", "expired", "pairs_created", "pool_size", "promoted", "run_id", "status"].sort(),
    );
    expect(report).toMatchObject({ status: "completed", by_tier: { "0": 0, "1": 0, "2": 0 } });
    const health = (await fns.matcher(urlEvent({ path: "/health" }))) as FunctionUrlResult;
    expect(bodyOf(health)).toMatchObject({ status: "healthy", checks: { database: "ok" } });
  });

  it('runs a batch on a direct invoke with {"trigger":"manual"}, as `aws lambda invoke` sends it', async () => {
    const report = await fns.matcher({ trigger: "manual" });
    expect(report).toMatchObject({ status: "completed", by_tier: { "0": 0, "1": 0, "2": 0 } });
    await expect(fns.matcher({ trigger: "manual", extra: 1 })).rejects.toThrow(/trigger":"manual/);
    await expect(fns.matcher({ trigger: "scheduled" })).rejects.toThrow(/trigger":"manual/);
  });

  it("reports skipped_locked when another run holds the lock, and refuses events it does not know", async () => {
    const locked = Layer.succeed(MatchingStore, { ...memory.store, runBatch: () => Effect.succeed("skipped_locked") });
    const matcher = makeMatcherHandler(
      ManagedRuntime.make(matcherLayer(locked, fns.env)),
      makeLogger({}, () => {}),
    );
    const answer = (await matcher(
      urlEvent({ method: "POST", path: "/run", body: { trigger: "manual" } }),
    )) as FunctionUrlResult;
    expect(answer.statusCode).toBe(200);
    expect(bodyOf(answer)).toMatchObject({ status: "skipped_locked", pool_size: 0, pairs_created: 0 });
    expect(await matcher(scheduledEvent("matcher"))).toMatchObject({ status: "skipped_locked" });
    await expect(matcher({ Records: [] })).rejects.toThrow(/rendezvous.schedule/);
  });

  it("fails a scheduled run loudly when the database is down, and answers 503 to POST /run", async () => {
    const down = Layer.succeed(MatchingStore, {
      ...memory.store,
      runBatch: () => Effect.fail(new DependencyUnavailable({ dependency: "database" })),
    });
    const matcher = makeMatcherHandler(
      ManagedRuntime.make(matcherLayer(down, fns.env)),
      makeLogger({}, () => {}),
    );
    await expect(matcher(scheduledEvent("matcher"))).rejects.toMatchObject({ _tag: "DependencyUnavailable" });
    const answer = (await matcher(urlEvent({ method: "POST", path: "/run" }))) as FunctionUrlResult;
    expect(answer.statusCode).toBe(503);
    expect(bodyOf(answer)).toEqual({ error: { code: "dependency_unavailable", message: "database is unavailable" } });
  });
});
