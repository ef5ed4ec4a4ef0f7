import type { Intention, Match, PoolState } from "../../core/matching/MatchingStore.ts";
import { partnerOf, statusAt } from "../../core/matching/matches.ts";
import { expiresAt, type MatchingPolicy, nextBatchAt, tierNow } from "../../core/matching/policy.ts";
import { toIsoUtc } from "../../core/shared/schema.ts";

/**
 * The JSON shapes of the matching API (API.md, "matching"): snake_case, ISO-8601 UTC instants. A match is always
 * seen from the caller's side: `partner` is the other user, and the acceptance flags say who has accepted.
 */

export const intentionView = (intention: Intention) => ({
  id: intention.id,
  text: intention.text ?? null,
  chips: intention.chips,
  embedding: intention.embedding ?? null,
  created_at: toIsoUtc(intention.createdAt),
});

/**
 * The pool entry as the caller experiences it now: the tier its waiting time has reached (the stored tier only
 * changes at the next batch), when it expires, and when the next batch runs.
 */
export const poolView = (policy: MatchingPolicy, pool: PoolState, now: Date) => {
  return {
    tier: tierNow(policy, pool.joinedAt, now, pool.tier),
    joined_at: toIsoUtc(pool.joinedAt),
    expires_at: toIsoUtc(expiresAt(policy, pool.joinedAt)),
    next_batch_at: toIsoUtc(nextBatchAt(policy, now)),
  };
};

export const matchView = (match: Match, userId: string, now: Date) => {
  const isA = match.userA === userId;
  return {
    id: match.id,
    partner: { user_id: partnerOf(match, userId) ?? null },
    score: match.score,
    matched_on: match.matchedOn,
    relaxed: match.relaxed,
    tier: match.tier,
    status: statusAt(match, now),
    accepted_by_you: isA ? match.acceptedA : match.acceptedB,
    accepted_by_partner: isA ? match.acceptedB : match.acceptedA,
    created_at: toIsoUtc(match.createdAt),
    expires_at: toIsoUtc(match.expiresAt),
  };
};

export interface RankedCandidate {
  readonly userId: string;
  readonly score: number;
  readonly matchedOn: readonly string[];
}

export const candidateView = (candidate: RankedCandidate) => ({
  user_id: candidate.userId,
  score: candidate.score,
  matched_on: candidate.matchedOn,
});
