import { randomUUID } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import { freePort } from "../../adapters/local-engines/ports.ts";
import { startPostgres } from "../../adapters/local-engines/postgres.ts";
import { SettableClock } from "../../adapters/memory/clock.ts";
import { cryptoIds } from "../../adapters/node/system.ts";
import { openDatabase } from "../../adapters/postgres/client.ts";
import { makePostgresMatchingStore } from "../../adapters/postgres/matching/store.ts";
import { migrateDatabase } from "../../adapters/postgres/migrate.ts";
import { MatchingStore } from "../../core/matching/MatchingStore.ts";
import { cityOf } from "../../core/matching/profile.ts";
import { MatchingConfig, runMatcher } from "../../core/matching/usecases.ts";
import { table } from "../report.ts";
import { benchPolicy } from "./approaches.ts";
import { generatePool } from "./generator.ts";

/**
 * The matcher end to end on real Postgres: the pool is seeded in bulk (not timed), then one `runMatcher` with the
 * Postgres store: lock, expire old matches, load the pool and past pairs, plan, lock the touched rows, write
 * expiries, promotions and matches, all in one transaction. The planner is timed on its own so "load + store" is
 * what the database side costs. The generator's past declines are not seeded (they only shrink the edges).
 */

const SEED_CHUNK = 5_000;

/** Worker side: seeds `size` entries into the database at `url`, runs one batch, returns its figures. */
export const measureStoreBatch = async (size: number, seed: number, url: string) => {
  const pool = generatePool(size, seed, "plain");
  const db = openDatabase({ url, max: 2 });
  try {
    for (let i = 0; i < pool.entries.length; i += SEED_CHUNK) {
      const rows = pool.entries.slice(i, i + SEED_CHUNK).map((e) => ({
        id: randomUUID(),
        user_id: e.userId,
        chips: e.chips,
        city: cityOf(e.chips),
        tier: e.tier,
        at: e.joinedAt.toISOString(),
      }));
      await db.sql`with x as (
          select * from jsonb_to_recordset(${JSON.stringify(rows)}::text::jsonb)
            as x(id uuid, user_id text, chips jsonb, city text, tier smallint, at timestamptz)
        ), i as (insert into intentions (id, user_id, chips, created_at) select id, user_id, chips, at from x)
        insert into pool_entries (intention_id, user_id, city, tier, joined_at) select id, user_id, city, tier, at from x`;
    }
    const poolRss = process.memoryUsage().rss / 2 ** 20;
    const inner = makePostgresMatchingStore(db.sql);
    let planMs = 0;
    const timedStore = MatchingStore.of({
      ...inner,
      runBatch: (runId, now, matchesExpireAt, plan) =>
        inner.runBatch(runId, now, matchesExpireAt, (input) => {
          const start = performance.now();
          return plan(input).pipe(Effect.tap(() => Effect.sync(() => (planMs = performance.now() - start))));
        }),
    });
    const layer = Layer.mergeAll(
      Layer.succeed(MatchingStore, timedStore),
      new SettableClock(pool.now).layer,
      cryptoIds,
      Layer.succeed(MatchingConfig, benchPolicy(pool)),
    );
    const start = performance.now();
    const report = await Effect.runPromise(Effect.provide(runMatcher(), layer));
    const totalMs = performance.now() - start;
    return { poolRss, totalMs, planMs, peak: process.resourceUsage().maxRSS / 1024, report };
  } finally {
    await db.close();
  }
};

export type StoreFigures = Awaited<ReturnType<typeof measureStoreBatch>>;

/** Orchestrator side: one throwaway Postgres, a fresh database per size, each batch in its own worker process. */
export const storeSection = async (
  sizes: readonly number[],
  measure: (size: number, url: string) => StoreFigures,
): Promise<string> => {
  const dataRoot = mkdtempSync(join(tmpdir(), "rendezvous-bench-matching-"));
  chmodSync(dataRoot, 0o755); // as root, PostgreSQL runs as the postgres user and must reach its data dir
  const pg = await startPostgres({ dataDir: join(dataRoot, "pg"), port: await freePort(), ephemeral: true });
  try {
    const rows: StoreFigures[] = [];
    for (const size of sizes) {
      const name = `bench_matching_${size}`;
      const admin = openDatabase({ url: pg.url, max: 1 });
      await admin.sql.unsafe(`create database ${name}`);
      await admin.close();
      const url = new URL(pg.url);
      url.pathname = `/${name}`;
      await migrateDatabase(url.toString());
      rows.push(measure(size, url.toString()));
    }
    const s = (ms: number) => (ms / 1000).toFixed(2);
    return table(
      ["pool", "matcher s (total)", "planning s", "load + store s", "pairs", "promoted", "expired", "peak RSS MiB"],
      rows.map((r) => [
        r.report.pool_size.toLocaleString("en-US"),
        s(r.totalMs),
        s(r.planMs),
        s(r.totalMs - r.planMs),
        r.report.pairs_created.toLocaleString("en-US"),
        r.report.promoted.toLocaleString("en-US"),
        r.report.expired.toLocaleString("en-US"),
        (r.peak as number).toFixed(0),
      ]),
    );
  } finally {
    await pg.stop();
    rmSync(dataRoot, { recursive: true, force: true });
  }
};
