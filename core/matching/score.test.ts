import { describe, expect, it } from "vitest";
import type { Chips, PoolEntry, Tier } from "./model.ts";
import { defaultPolicy, type MatchingPolicy } from "./policy.ts";
import { scorePair } from "./score.ts";
import { TEST_GEOGRAPHY } from "./testing.ts";

/**
 * Every score explains itself: `matched_on` names the chip groups the pair shares, `relaxed` the tier-0 rules a
 * higher tier waived to allow it. The threshold is 0 here so that the reasons, not the cut-off, are under test.
 */
const policy: MatchingPolicy = { ...defaultPolicy, threshold: 0, geography: TEST_GEOGRAPHY };
const JOINED = new Date("2026-11-23T00:00:00.000Z");

const entry = (user: string, chips: Partial<Chips> = {}, embedding?: number[]): PoolEntry => ({
  id: `intention-${user}`,
  userId: user,
  chips: {
    who: { network: "alumni", age_band: "25-34", gender: "woman", gender_preference: "any" },
    activities: ["coffee", "hiking"],
    when: ["sat-evening"],
    where: "Palo Alto",
    vibe: ["chill"],
    ...chips,
  },
  embedding,
  joinedAt: JOINED,
  tier: 0,
});

const at = (tier: Tier, a: PoolEntry, b: PoolEntry) => scorePair(a, b, policy, tier);
const reasons = (tier: Tier, a: PoolEntry, b: PoolEntry) => {
  const scored = at(tier, a, b);
  return scored && { matched_on: scored.matched_on, relaxed: scored.relaxed };
};

describe("score explanations", () => {
  it("names every shared chip group at tier 0 and relaxes nothing", () => {
    const a = entry("a");
    const b = entry("b", { who: { network: "alumni", age_band: "25-34", gender: "man" } });
    expect(reasons(0, a, b)).toEqual({ matched_on: ["who", "activities", "when", "where", "vibe"], relaxed: [] });
    const apart = entry("c", { activities: ["cinema"], vibe: ["sporty"], who: { network: "work" } });
    expect(reasons(0, a, apart)).toEqual({ matched_on: ["when", "where"], relaxed: [] });
  });

  it("an adjacent city needs tier 1 and says so; a city in the same region needs tier 2", () => {
    const a = entry("a");
    const menlo = entry("b", { where: "Menlo Park" });
    expect(at(0, a, menlo)).toBeUndefined();
    expect(reasons(1, a, menlo)).toEqual({
      matched_on: ["who", "activities", "when", "vibe"],
      relaxed: ["where:adjacent_area"],
    });
    const mountainView = entry("c", { where: "Mountain View" });
    expect(at(1, menlo, mountainView)).toBeUndefined();
    expect(reasons(2, menlo, mountainView)?.relaxed).toEqual(["where:region"]);
    expect(at(2, a, entry("d", { where: "Oakland" }))).toBeUndefined();
  });

  it("one age band either way from tier 1, adjacent time windows at tier 2, each named", () => {
    const a = entry("a");
    const older = entry("b", { who: { network: "alumni", age_band: "35-44" } });
    expect(at(0, a, older)).toBeUndefined();
    expect(reasons(1, a, older)?.relaxed).toEqual(["who:age_band"]);
    expect(at(1, a, entry("x", { who: { age_band: "45-54" } }))).toBeUndefined();
    const sunday = entry("c", { when: ["sun-daytime"] });
    expect(at(1, a, sunday)).toBeUndefined();
    const relaxed = reasons(2, a, sunday);
    expect(relaxed?.relaxed).toEqual(["when:adjacent_window"]);
    expect(relaxed?.matched_on).not.toContain("when");
  });

  it("never relaxes a must-have, a dealbreaker or a gender preference, in any tier", () => {
    const tiers: Tier[] = [0, 1, 2];
    const mustWhere = entry("a", { must_haves: ["where"] });
    const dealbreaker = entry("b", { dealbreakers: ["hiking"] });
    const prefers = entry("c", { who: { gender: "woman", gender_preference: "man" } });
    for (const tier of tiers) {
      expect(at(tier, mustWhere, entry("d", { where: "Menlo Park" }))).toBeUndefined();
      expect(at(tier, entry("e"), dealbreaker)).toBeUndefined();
      expect(at(tier, prefers, entry("f"))).toBeUndefined();
      expect(at(tier, prefers, entry("g", { who: { gender: "man" } }))).toBeDefined();
    }
  });

  it("adds the embedding when both sides have similar ones, and never when one side has none", () => {
    const near = Array.from({ length: 4 }, (_, i) => (i === 0 ? 1 : 0.1));
    const a = entry("a", {}, near);
    expect(reasons(0, a, entry("b", {}, near))?.matched_on).toContain("embedding");
    expect(reasons(0, a, entry("c"))?.matched_on).not.toContain("embedding");
    expect(reasons(0, a, entry("d", {}, [0, 1, 0, 0]))?.matched_on).not.toContain("embedding");
  });
});
