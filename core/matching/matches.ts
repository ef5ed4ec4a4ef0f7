import { Conflict, Forbidden } from "../shared/errors.ts";
import type { Match, MatchStatus, Response } from "./MatchingStore.ts";

/**
 * The rules of a proposed match, pure so that every store applies the same ones inside its own transaction:
 * either side may accept (the match is `accepted` once both have); either may decline while it is proposed
 * (both go back to the pool and the pair is blocked forever); a match past its expiry is `expired`.
 */

export const statusAt = (match: Match, now: Date): MatchStatus =>
  (match.status === "proposed" || match.status === "accepted") && match.expiresAt.getTime() <= now.getTime()
    ? "expired"
    : match.status;

export const isActive = (match: Match, now: Date): boolean => {
  const status = statusAt(match, now);
  return status === "proposed" || status === "accepted";
};

export const partnerOf = (match: Match, userId: string): string | undefined =>
  match.userA === userId ? match.userB : match.userB === userId ? match.userA : undefined;

export interface Responded {
  readonly match: Match;
  /** Intentions to put back in the pool (a decline re-pools both sides). */
  readonly requeue: readonly string[];
}

export const respondTo = (
  match: Match,
  userId: string,
  response: Response,
  now: Date,
): Responded | Forbidden | Conflict => {
  if (partnerOf(match, userId) === undefined) return new Forbidden({ message: "this match is not yours" });
  const status = statusAt(match, now);
  if (response === "decline") {
    if (status !== "proposed")
      return new Conflict({ message: `match is ${status}; only a proposed match can be declined` });
    return { match: { ...match, status: "declined" }, requeue: [match.intentionA, match.intentionB] };
  }
  if (status !== "proposed" && status !== "accepted") {
    return new Conflict({ message: `match is ${status}; it can no longer be accepted` });
  }
  const acceptedA = match.acceptedA || match.userA === userId;
  const acceptedB = match.acceptedB || match.userB === userId;
  return {
    match: { ...match, acceptedA, acceptedB, status: acceptedA && acceptedB ? "accepted" : "proposed" },
    requeue: [],
  };
};
