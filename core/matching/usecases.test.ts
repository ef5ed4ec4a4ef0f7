import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import { describe, expect, it } from "vitest";
import { SettableClock } from "../../adapters/memory/clock.ts";
import { sequentialIds } from "../../adapters/memory/ids.ts";
import { makeMemoryMatchingStore } from "../../adapters/memory/matching.ts";
import type { Chips } from "./model.ts";
import { defaultPolicy } from "./policy.ts";
import {
  currentMatch,
  getIntention,
  leavePool,
  MatchingConfig,
  putIntention,
  rankCandidates,
  respondToMatch,
  runMatcher,
} from "./usecases.ts";

const HOUR = 3_600_000;
const chips = (overrides: Partial<Chips> = {}): Chips => ({
  activities: ["coffee"],
  when: ["sat-evening"],
  where: "Palo Alto",
  ...overrides,
});

const setup = () => {
  const clock = new SettableClock("2026-11-23T09:00:00.000Z");
  const memory = makeMemoryMatchingStore();
  const layer = Layer.mergeAll(
    clock.layer,
    sequentialIds(),
    memory.layer,
    Layer.succeed(MatchingConfig, {
      ...defaultPolicy,
      geography: { adjacent: { "palo alto": ["menlo park"] }, regions: {} },
    }),
  );
  const run = <A, E>(effect: Effect.Effect<A, E, Layer.Success<typeof layer>>) =>
    Effect.runPromise(Effect.provide(effect, layer));
  const fail = <A, E>(effect: Effect.Effect<A, E, Layer.Success<typeof layer>>) =>
    Effect.runPromise(Effect.flip(Effect.provide(effect, layer)));
  return { clock, memory, run, fail };
};

describe("matching use cases", () => {
  it("pairs two compatible people, then both accept", async () => {
    const { run } = setup();
    expect((await run(putIntention("alice", { chips: chips() }))).created).toBe(true);
    await run(putIntention("bob", { chips: chips({ activities: ["coffee", "cinema"] }) }));
    const report = await run(runMatcher());
    expect(report).toMatchObject({ status: "completed", pool_size: 2, pairs_created: 1, by_tier: { "0": 1 } });
    const match = await run(currentMatch("alice"));
    expect(match).toMatchObject({ userA: "alice", userB: "bob", status: "proposed", tier: 0, relaxed: [] });
    expect(match.matchedOn).toEqual(expect.arrayContaining(["activities", "when", "where"]));
    expect((await run(respondToMatch("alice", match.id, "accept"))).status).toBe("proposed");
    expect((await run(respondToMatch("bob", match.id, "accept"))).status).toBe("accepted");
    expect((await run(getIntention("bob"))).pool).toBeUndefined();
  });

  it("keeps a matched user out of a second match and refuses a new intention meanwhile", async () => {
    const { run, fail } = setup();
    for (const user of ["a", "b", "c"]) await run(putIntention(user, { chips: chips() }));
    await run(runMatcher());
    expect((await run(runMatcher())).pairs_created).toBe(0);
    const matched = (await run(currentMatch("a"))).userB;
    expect(["b", "c"]).toContain(matched);
    expect((await fail(putIntention(matched, { chips: chips() })))._tag).toBe("Conflict");
  });

  it("a decline re-pools both and the pair is never proposed again; strangers may not respond", async () => {
    const { run, fail } = setup();
    await run(putIntention("a", { chips: chips() }));
    await run(putIntention("b", { chips: chips() }));
    await run(runMatcher());
    const match = await run(currentMatch("a"));
    expect((await fail(respondToMatch("mallory", match.id, "accept")))._tag).toBe("Forbidden");
    expect((await fail(respondToMatch("a", "no-such-match", "accept")))._tag).toBe("NotFound");
    expect((await run(respondToMatch("b", match.id, "decline"))).status).toBe("declined");
    expect((await fail(respondToMatch("a", match.id, "accept")))._tag).toBe("Conflict");
    expect((await run(getIntention("a"))).pool).toBeDefined();
    expect((await run(getIntention("b"))).pool).toBeDefined();
    expect((await run(runMatcher())).pairs_created).toBe(0);
    expect(await run(rankCandidates("a", {}))).toEqual([]);
  });

  it("promotes by the clock to the adjacent city, then expires after 72 hours", async () => {
    const { run, fail, clock } = setup();
    await run(putIntention("a", { chips: chips() }));
    await run(putIntention("b", { chips: chips({ where: "Menlo Park" }) }));
    expect((await run(runMatcher())).pairs_created).toBe(0);
    clock.advance(25 * HOUR);
    const promoted = await run(runMatcher());
    expect(promoted).toMatchObject({ promoted: 2, pairs_created: 1, by_tier: { "1": 1 } });
    expect((await run(currentMatch("a"))).relaxed).toEqual(["where:adjacent_area"]);
    await run(putIntention("c", { chips: chips({ where: "Oakland" }) }));
    clock.advance(72 * HOUR);
    expect(await run(runMatcher())).toMatchObject({ expired: 1, pairs_created: 0 });
    expect((await fail(getIntention("c")))._tag).toBe("NotFound");
  });

  it("must-haves hold in every tier", async () => {
    const { run, clock } = setup();
    await run(putIntention("a", { chips: chips({ must_haves: ["where"] }) }));
    await run(putIntention("b", { chips: chips({ where: "Menlo Park" }) }));
    clock.advance(60 * HOUR);
    expect((await run(runMatcher())).pairs_created).toBe(0);
  });

  it("refuses embeddings of the wrong length or all zeros, naming the field", async () => {
    const { fail } = setup();
    const short = await fail(putIntention("a", { chips: chips(), embedding: [1, 2, 3] }));
    expect(short).toMatchObject({ _tag: "ValidationFailed", message: "embedding: expected 64 numbers, got 3" });
    const zeros = await fail(putIntention("a", { chips: chips(), embedding: Array(64).fill(0) }));
    expect(zeros).toMatchObject({ _tag: "ValidationFailed" });
  });

  it("ranks candidates for the caller now, best first, and leaving the pool ends the intention", async () => {
    const { run, fail } = setup();
    await run(putIntention("me", { chips: chips({ activities: ["coffee", "cinema"], vibe: ["chill"] }) }));
    await run(putIntention("close", { chips: chips({ activities: ["coffee", "cinema"], vibe: ["chill"] }) }));
    await run(putIntention("far", { chips: chips({ activities: ["coffee", "hiking"] }) }));
    await run(putIntention("elsewhere", { chips: chips({ where: "Oakland" }) }));
    const ranked = await run(rankCandidates("me", { limit: 5 }));
    expect(ranked.map((c) => c.userId)).toEqual(["close", "far"]);
    expect((ranked[0]?.score ?? 0) > (ranked[1]?.score ?? 1)).toBe(true);
    expect(await run(leavePool("me"))).toBe(true);
    expect((await fail(rankCandidates("me", {})))._tag).toBe("NotFound");
  });
});
