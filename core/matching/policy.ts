import * as Schema from "effect/Schema";
import type { Tier } from "./model.ts";

/**
 * Everything tunable about matching, with the defaults of the product this replaces. The matching function reads
 * overrides from `MATCHING_POLICY` (JSON, any subset); benchmarks and tests pass their own.
 *
 * Geography is data, not code: which cities are adjacent (tier 1) and which region each city is in (tier 2).
 * Without it, tiers 1 and 2 relax only age bands and time windows.
 */

const Weight = Schema.Number.check(Schema.isGreaterThanOrEqualTo(0), Schema.isLessThanOrEqualTo(10));
const Fraction = Schema.Number.check(Schema.isGreaterThanOrEqualTo(0), Schema.isLessThanOrEqualTo(1));
const Hours = Schema.Number.check(Schema.isGreaterThanOrEqualTo(1), Schema.isLessThanOrEqualTo(24 * 365));
const Count = (max: number) => Schema.Int.check(Schema.isGreaterThanOrEqualTo(1), Schema.isLessThanOrEqualTo(max));

export const Weights = Schema.Struct({
  /** Who-similarity (network, age band): the old "survey similarity". */
  who: Weight,
  /** Overlap of all chips together. */
  intention: Weight,
  time: Weight,
  location: Weight,
  activities: Weight,
  vibe: Weight,
  /** Cosine similarity; counted only when both sides carry an embedding. */
  embedding: Weight,
});
export type Weights = typeof Weights.Type;

export const Geography = Schema.Struct({
  /** City -> its adjacent cities (symmetric use: either side listing the other is enough). */
  adjacent: Schema.Record(Schema.String, Schema.Array(Schema.String)),
  /** City -> region. */
  regions: Schema.Record(Schema.String, Schema.String),
});
export type Geography = typeof Geography.Type;

export const MatchingPolicy = Schema.Struct({
  weights: Weights,
  threshold: Fraction,
  /** Waiting hours at which an entry leaves tier 0, then tier 1; at `expiryHours` the intention expires. */
  tierHours: Schema.Tuple([Hours, Hours]),
  expiryHours: Hours,
  /** Tier 0 multiplies the score by `factor` when the time overlap is below `below`. */
  lowTimeOverlap: Schema.Struct({ below: Fraction, factor: Fraction }),
  matchTtlHours: Hours,
  batchEveryHours: Hours,
  /** Best candidates kept per entry (the pairing's edges). */
  candidatesPerEntry: Count(200),
  /** Most candidates scored per entry: bounds the batch on very dense blocks. */
  scanLimit: Count(1_000_000),
  /** Connected components up to this size are paired exactly (2^n states); larger ones by local search. */
  exactComponentLimit: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0), Schema.isLessThanOrEqualTo(20)),
  embeddingDimensions: Count(1024),
  geography: Geography,
});
export type MatchingPolicy = typeof MatchingPolicy.Type;

export const defaultPolicy: MatchingPolicy = {
  weights: { who: 0.25, intention: 0.25, time: 0.2, location: 0.15, activities: 0.1, vibe: 0.05, embedding: 0.25 },
  threshold: 0.3,
  tierHours: [24, 48],
  expiryHours: 72,
  lowTimeOverlap: { below: 0.25, factor: 0.5 },
  matchTtlHours: 7 * 24,
  batchEveryHours: 3,
  candidatesPerEntry: 12,
  scanLimit: 250,
  exactComponentLimit: 16,
  embeddingDimensions: 64,
  geography: { adjacent: {}, regions: {} },
};

/** `MATCHING_POLICY`: any subset of the policy; `weights` and `lowTimeOverlap` may be partial too. */
export const PolicyOverrides = Schema.Struct({
  weights: Schema.optionalKey(Weights.mapFields((fields) => fieldsOptional(fields))),
  threshold: Schema.optionalKey(Fraction),
  tierHours: Schema.optionalKey(Schema.Tuple([Hours, Hours])),
  expiryHours: Schema.optionalKey(Hours),
  lowTimeOverlap: Schema.optionalKey(Schema.Struct({ below: Fraction, factor: Fraction })),
  matchTtlHours: Schema.optionalKey(Hours),
  batchEveryHours: Schema.optionalKey(Hours),
  candidatesPerEntry: Schema.optionalKey(Count(200)),
  scanLimit: Schema.optionalKey(Count(1_000_000)),
  exactComponentLimit: Schema.optionalKey(
    Schema.Int.check(Schema.isGreaterThanOrEqualTo(0), Schema.isLessThanOrEqualTo(20)),
  ),
  embeddingDimensions: Schema.optionalKey(Count(1024)),
  geography: Schema.optionalKey(Geography),
});
export type PolicyOverrides = typeof PolicyOverrides.Type;

function fieldsOptional<F extends Record<string, Schema.Top>>(fields: F) {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, Schema.optionalKey(v)])) as {
    [K in keyof F]: Schema.optionalKey<F[K]>;
  };
}

/** The defaults with `overrides` applied; the problem, if the result is inconsistent. */
export const policyFrom = (overrides: PolicyOverrides = {}, base: MatchingPolicy = defaultPolicy): MatchingPolicy => ({
  ...base,
  ...overrides,
  weights: { ...base.weights, ...overrides.weights },
});

/** Why a policy cannot work, or undefined: tiers must grow and end before expiry; some weight must count. */
export const policyProblem = (policy: MatchingPolicy): string | undefined => {
  const [leaveTier0, leaveTier1] = policy.tierHours;
  if (!(leaveTier0 < leaveTier1 && leaveTier1 < policy.expiryHours)) {
    return "tierHours must increase and end before expiryHours";
  }
  const { embedding: _embedding, ...base } = policy.weights;
  if (Object.values(base).every((w) => w === 0)) return "weights: at least one non-embedding weight must be > 0";
  return undefined;
};

const HOUR = 3_600_000;

/** The tier an entry has after waiting since `joinedAt`, or "expired". */
export const tierAt = (policy: MatchingPolicy, joinedAt: Date, now: Date): Tier | "expired" => {
  const waited = now.getTime() - joinedAt.getTime();
  if (waited >= policy.expiryHours * HOUR) return "expired";
  if (waited >= policy.tierHours[1] * HOUR) return 2;
  if (waited >= policy.tierHours[0] * HOUR) return 1;
  return 0;
};

/**
 * The tier an entry is in now, as its owner sees it: never below its stored tier (promotions only happen at a
 * batch), and still the last tier once past expiry until the next batch removes it.
 */
export const tierNow = (policy: MatchingPolicy, joinedAt: Date, now: Date, stored: Tier = 0): Tier => {
  const waited = tierAt(policy, joinedAt, now);
  return waited === "expired" ? 2 : (Math.max(stored, waited) as Tier);
};

export const expiresAt = (policy: MatchingPolicy, joinedAt: Date): Date =>
  new Date(joinedAt.getTime() + policy.expiryHours * HOUR);

export const matchExpiresAt = (policy: MatchingPolicy, createdAt: Date): Date =>
  new Date(createdAt.getTime() + policy.matchTtlHours * HOUR);

/** The next scheduled batch after `now`, on the `batchEveryHours` grid from midnight UTC. */
export const nextBatchAt = (policy: MatchingPolicy, now: Date): Date => {
  const step = policy.batchEveryHours * HOUR;
  return new Date(Math.floor(now.getTime() / step) * step + step);
};
