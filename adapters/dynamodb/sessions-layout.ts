/**
 * The sessions table's layout. apps/manifest.ts declares the same names as `SESSIONS_TABLE` for infra/ (adapters
 * may not import apps/), and a test in apps/sessions checks the two agree. Kept apart from the table helper so the
 * function's bundle does not pull in the SDK's control plane.
 */
export const SESSIONS_TABLE_LAYOUT = {
  partitionKey: "pk",
  userIndex: { name: "by_user", partitionKey: "user_id", sortKey: "created_at" },
  ttlAttribute: "ttl",
} as const;

export type SessionsTableLayout = {
  readonly partitionKey: string;
  readonly userIndex: { readonly name: string; readonly partitionKey: string; readonly sortKey: string };
  readonly ttlAttribute: string;
};
