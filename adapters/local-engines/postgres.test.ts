import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { freshDatabase } from "./testing.ts";

const url = await freshDatabase();
const first = postgres(url, { max: 1, onnotice: () => {} });
const second = postgres(url, { max: 1, onnotice: () => {} });
afterAll(() => Promise.all([first.end(), second.end()]));

describe("embedded PostgreSQL 17", () => {
  it("is a real PostgreSQL 17 server", async () => {
    const [row] = await first`SHOW server_version_num`;
    expect(Number(row?.server_version_num)).toBeGreaterThanOrEqual(170000);
  });

  it("refuses an advisory lock to a second connection while the first holds it", async () => {
    const [held] = await first`SELECT pg_try_advisory_lock(42) AS ok`;
    const [refused] = await second`SELECT pg_try_advisory_lock(42) AS ok`;
    expect(held?.ok).toBe(true);
    expect(refused?.ok).toBe(false);
    await first`SELECT pg_advisory_unlock(42)`;
    const [granted] = await second`SELECT pg_try_advisory_lock(42) AS ok`;
    expect(granted?.ok).toBe(true);
    await second`SELECT pg_advisory_unlock(42)`;
  });

  it("splits rows between two concurrent transactions with FOR UPDATE SKIP LOCKED", async () => {
    await first`CREATE TABLE jobs (id int PRIMARY KEY)`;
    await first`INSERT INTO jobs SELECT generate_series(1, 10)`;
    const claim = (sql: postgres.TransactionSql) =>
      sql<{ id: number }[]>`SELECT id FROM jobs ORDER BY id LIMIT 6 FOR UPDATE SKIP LOCKED`;

    let releaseFirst = () => {};
    const firstHolds = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    let firstClaimed: number[] = [];
    const firstTx = first.begin(async (sql) => {
      firstClaimed = (await claim(sql)).map((row) => row.id);
      await firstHolds; // keep the locks while the second transaction claims
    });
    await expect.poll(() => firstClaimed.length).toBe(6);
    const secondClaimed = await second.begin(async (sql) => (await claim(sql)).map((row) => row.id));
    releaseFirst();
    await firstTx;

    expect(firstClaimed).toEqual([1, 2, 3, 4, 5, 6]);
    expect(secondClaimed).toEqual([7, 8, 9, 10]);
  });
});
