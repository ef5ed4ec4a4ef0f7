/**
 * The shapes of the console's data views (GET /_local/data/scheduling and /_local/data/matching): written by
 * apps/local/data-views.ts, read by the page. Types only, so the browser code can import them without Node.
 */
export interface SchedulingView {
  readonly deliveries_by_status: Record<string, number>;
  readonly users: ReadonlyArray<{
    readonly id: string;
    readonly name: string;
    readonly birthday: string;
    readonly timezone: string;
    readonly next_messages: ReadonlyArray<{ type: string; occurrence: string; send_at: string; status: string }>;
    readonly deliveries_by_status: Record<string, number>;
  }>;
  readonly recent_deliveries: ReadonlyArray<{
    id: string;
    user_id: string;
    occurrence: string;
    status: string;
    attempts: number;
    last_error: string | null;
    updated_at: string;
  }>;
}

export interface MatchingView {
  readonly pool: { readonly by_tier: Record<"0" | "1" | "2", number>; readonly entries: readonly PoolEntry[] };
  readonly last_batch: LastBatch | null;
}
interface PoolEntry {
  readonly user_id: string;
  readonly tier: number;
  readonly city: string;
  readonly joined_at: string;
}
interface LastBatch {
  readonly run_id: string;
  readonly started_at: string;
  readonly pool_size: number;
  readonly pairs_created: number;
  readonly by_tier: Record<"0" | "1" | "2", number>;
  readonly promoted: number;
  readonly expired: number;
  readonly pairs: ReadonlyArray<{ user_a: string; user_b: string; score: number; tier: number; status: string }>;
  /** Pair scores in ten buckets of 0.1: `[0, 0.1)`, ..., `[0.9, 1]`. */
  readonly score_histogram: readonly number[];
}
