import * as Schema from "effect/Schema";
import { MultiLineText, SingleLineText } from "../shared/schema.ts";

/**
 * The matching model: what a person asks for when joining the pool (an intention made of chips), and the pool
 * entry the batch works on. Chips are free text from a client vocabulary, so they are bounded and trimmed here;
 * comparisons are case-insensitive (the scorer lower-cases).
 */

/** Mon..Sun x daytime/evening, in week order: adjacency (tier 2) is the next or previous item, cyclically. */
export const TIME_WINDOWS = [
  "mon-daytime",
  "mon-evening",
  "tue-daytime",
  "tue-evening",
  "wed-daytime",
  "wed-evening",
  "thu-daytime",
  "thu-evening",
  "fri-daytime",
  "fri-evening",
  "sat-daytime",
  "sat-evening",
  "sun-daytime",
  "sun-evening",
] as const;
export type TimeWindow = (typeof TIME_WINDOWS)[number];

/** Ordered: tier >= 1 allows one band either way. */
export const AGE_BANDS = ["18-24", "25-34", "35-44", "45-54", "55+"] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

/** Which chip groups a person can make non-negotiable (never relaxed, in any tier). */
export const MUST_HAVE_KEYS = ["who", "activities", "when", "where", "vibe"] as const;
export type MustHaveKey = (typeof MUST_HAVE_KEYS)[number];

export const LIMITS = { chipLength: 40, cityLength: 80, listItems: 10, textLength: 1000, embeddingMax: 1024 } as const;

const bounded = (max: number) =>
  SingleLineText.check(
    Schema.makeFilter((value: string) => {
      if (value.trim().length === 0) return "must not be blank";
      if (value.length > max) return `at most ${max} characters`;
      return true;
    }),
  );

export const Chip = bounded(LIMITS.chipLength);
export const City = bounded(LIMITS.cityLength);

const list = <S extends Schema.Top>(item: S, min: number, max: number) =>
  Schema.Array(item).check(Schema.isMinLength(min), Schema.isMaxLength(max), Schema.isUnique());

export const Who = Schema.Struct({
  network: Schema.optionalKey(Chip),
  age_band: Schema.optionalKey(Schema.Literals(AGE_BANDS)),
  gender: Schema.optionalKey(Chip),
  /** `any`, or the gender the partner must have (always enforced, in every tier, both ways). */
  gender_preference: Schema.optionalKey(Chip),
});
export type Who = typeof Who.Type;

export const Chips = Schema.Struct({
  who: Schema.optionalKey(Who),
  activities: list(Chip, 1, LIMITS.listItems),
  when: list(Schema.Literals(TIME_WINDOWS), 1, TIME_WINDOWS.length),
  where: City,
  vibe: Schema.optionalKey(list(Chip, 0, LIMITS.listItems)),
  must_haves: Schema.optionalKey(list(Schema.Literals(MUST_HAVE_KEYS), 0, MUST_HAVE_KEYS.length)),
  /** Chip values (an activity, a vibe or a network) the partner must not have. */
  dealbreakers: Schema.optionalKey(list(Chip, 0, LIMITS.listItems)),
});
export type Chips = typeof Chips.Type;

const EmbeddingValue = Schema.Number.check(
  Schema.makeFilter((value: number) => Number.isFinite(value) || "must be a finite number"),
);

/** The body of `PUT /intention`. The embedding's length is checked against the policy by the use case. */
export const IntentionInput = Schema.Struct({
  text: Schema.optionalKey(MultiLineText.check(Schema.isMaxLength(LIMITS.textLength))),
  chips: Chips,
  embedding: Schema.optionalKey(Schema.Array(EmbeddingValue).check(Schema.isMaxLength(LIMITS.embeddingMax))),
});
export type IntentionInput = typeof IntentionInput.Type;

/** 0 strict, 1 relaxed, 2 very relaxed. */
export type Tier = 0 | 1 | 2;

/** One waiting intention, as the batch sees it. `id` is the intention's id. */
export interface PoolEntry {
  readonly id: string;
  readonly userId: string;
  readonly chips: Chips;
  readonly embedding?: readonly number[] | undefined;
  readonly joinedAt: Date;
  /** The tier stored at the last batch; the batch promotes it from the clock. */
  readonly tier: Tier;
}

/** The key of a pair of users, the same whichever order they come in. */
export const pairKey = (userA: string, userB: string): string =>
  userA < userB ? `${userA}\u0000${userB}` : `${userB}\u0000${userA}`;

/** Past pairs: a set of `pairKey`s or a predicate on two user ids. */
export type BlockedPairs = ReadonlySet<string> | ((userA: string, userB: string) => boolean);

export const isBlocked = (blocked: BlockedPairs, userA: string, userB: string): boolean =>
  typeof blocked === "function" ? blocked(userA, userB) : blocked.has(pairKey(userA, userB));
