/**
 * The alias every function URL, schedule, queue mapping and caller invokes. Each deploy publishes a version and
 * points it there; `npm run rollback` (infra/ops/rollback.ts) points it back.
 */
export const LIVE_ALIAS = "live";
