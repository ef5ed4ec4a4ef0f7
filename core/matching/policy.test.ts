import { describe, expect, it } from "vitest";
import { defaultPolicy, tierNow } from "./policy.ts";

const JOINED = new Date("2026-11-23T09:00:00.000Z");
const hoursIn = (hours: number) => new Date(JOINED.getTime() + hours * 3_600_000);

describe("tierNow", () => {
  it("follows the waiting time through the tiers (24 h and 48 h by default)", () => {
    expect([0, 23.9, 24, 47.9, 48].map((h) => tierNow(defaultPolicy, JOINED, hoursIn(h)))).toEqual([0, 0, 1, 1, 2]);
  });

  it("never shows less than the stored tier, and stays in the last tier past expiry until a batch removes it", () => {
    expect(tierNow(defaultPolicy, JOINED, hoursIn(1), 2)).toBe(2);
    expect(tierNow(defaultPolicy, JOINED, hoursIn(80))).toBe(2);
  });
});
