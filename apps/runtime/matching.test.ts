import { describe, expect, it } from "vitest";
import { defaultPolicy } from "../../core/matching/policy.ts";
import { ConfigError } from "./env.ts";
import { readMatchingPolicy } from "./matching.ts";

describe("MATCHING_POLICY", () => {
  it("is optional, and any subset overrides the defaults (weights key by key)", () => {
    expect(readMatchingPolicy({})).toEqual(defaultPolicy);
    expect(readMatchingPolicy({ MATCHING_POLICY: "  " })).toEqual(defaultPolicy);
    const policy = readMatchingPolicy({
      MATCHING_POLICY: JSON.stringify({ threshold: 0.4, weights: { time: 0.3 }, tierHours: [12, 36] }),
    });
    expect(policy).toEqual({
      ...defaultPolicy,
      threshold: 0.4,
      tierHours: [12, 36],
      weights: { ...defaultPolicy.weights, time: 0.3 },
    });
  });

  it.each<[string, string, string]>([
    ["not JSON", "{threshold", "MATCHING_POLICY: Expected a valid JSON string"],
    ["not an object", "[0.3]", "MATCHING_POLICY: Expected object"],
    ["a misspelt key", '{"treshold":0.2}', "MATCHING_POLICY.treshold: unknown key"],
    ["an unknown weight", '{"weights":{"looks":1}}', "MATCHING_POLICY.weights.looks: unknown key"],
    ["a threshold above 1", '{"threshold":1.5}', "MATCHING_POLICY.threshold:"],
    ["a weight of the wrong type", '{"weights":{"time":"high"}}', "MATCHING_POLICY.weights.time:"],
    ["a fractional candidate count", '{"candidatesPerEntry":2.5}', "MATCHING_POLICY.candidatesPerEntry:"],
    ["one tier boundary", '{"tierHours":[24]}', "MATCHING_POLICY.tierHours"],
    [
      "tiers that shrink",
      '{"tierHours":[48,24]}',
      "MATCHING_POLICY: tierHours must increase and end before expiryHours",
    ],
    ["tiers past expiry", '{"expiryHours":36}', "MATCHING_POLICY: tierHours must increase"],
    [
      "every scoring weight at zero",
      '{"weights":{"who":0,"intention":0,"time":0,"location":0,"activities":0,"vibe":0}}',
      "MATCHING_POLICY: weights: at least one non-embedding weight must be > 0",
    ],
  ])("refuses %s at cold start, naming the key", (_name, value, message) => {
    const read = () => readMatchingPolicy({ MATCHING_POLICY: value });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(message);
  });
});
