/**
 * The matching core's public API (what apps, adapters and bench/ import).
 *
 * Batch (pure; no I/O, no clock of its own):
 *   planBatch({ entries: PoolEntry[], blockedPairs: ReadonlySet<pairKey> | (userA, userB) => boolean,
 *               policy: MatchingPolicy, now: Date })
 *     -> { pairs: [{ a, b (entry ids), userA, userB, score, tier, matched_on, relaxed }], expired: id[],
 *          promoted: [{ id, tier }], figures: { pool_size, expired, promoted, candidate_edges, pairs_created,
 *          by_tier, total_score, greedy_total_score } }
 *
 * Pieces, to compare approaches on the same edges (bench/matching):
 *   scorePair(a: PoolEntry, b: PoolEntry, policy, tier) -> { score, tier, matched_on, relaxed } | undefined
 *   generateCandidates(profiles, blockedPairs, policy, places) -> CandidateEdge[] ({ a, b, score, tier },
 *     vertex = index in `profiles`; build them in waiting order with profileOf(entry, tier, interner), ONE
 *     `new Interner()` shared by all profiles of a batch; places = placesOf(policy.geography))
 *   greedyPairing(n, edges: { a, b, score }[]) -> { mate: Int32Array, total, pairs }
 *   improvedPairing(n, edges, { exactComponentLimit?, maxPasses?, maxDepth? }) -> the same shape, plus greedyTotal
 *     Vertex index is the tie-break: a lower index waited longer.
 *
 * Persistence and use cases (apps): the MatchingStore port (MatchingStore.ts), the accept/decline rules
 * (matches.ts), and putIntention, getIntention, leavePool, currentMatch, respondToMatch, giveFeedback,
 * rankCandidates, runMatcher with the MatchingConfig service (usecases.ts).
 *
 * Policy: defaultPolicy, policyFrom(overrides), PolicyOverrides (the MATCHING_POLICY schema), tierAt(policy,
 * joinedAt, now). Geography (adjacent cities, regions) is data inside the policy: policy.geography.
 */
export * from "./batch.ts";
export * from "./candidates.ts";
export * from "./MatchingStore.ts";
export * from "./matches.ts";
export * from "./model.ts";
export * from "./pairing.ts";
export * from "./policy.ts";
export * from "./profile.ts";
export * from "./score.ts";
export * from "./usecases.ts";
