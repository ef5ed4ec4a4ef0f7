import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import * as ManagedRuntime from "effect/ManagedRuntime";
import { makeLambdaClient } from "../adapters/lambda/client.ts";
import { remoteDeliveryStore } from "../adapters/lambda/delivery-store-client.ts";
import { freePort } from "../adapters/local-engines/ports.ts";
import { startPostgres } from "../adapters/local-engines/postgres.ts";
import { openDatabase } from "../adapters/postgres/client.ts";
import { migrateDatabase } from "../adapters/postgres/migrate.ts";
import { postgresDeliveryStore } from "../adapters/postgres/scheduling/deliveries.ts";
import { makeLocalFunction } from "../apps/local/invoke.ts";
import { startInvokeServer } from "../apps/local/invoke-server.ts";
import { DELIVERY_STORE_FUNCTION, functions } from "../apps/manifest.ts";
import { makeLogger } from "../apps/observe/log.ts";
import { makeDeliveryStoreHandler } from "../apps/scheduling/delivery-store.ts";
import { DeliveryStore } from "../core/scheduling/DeliveryStore.ts";
import { DEFAULT_POLICY } from "../core/scheduling/occurrence.ts";
import { SchedulingSettings } from "../core/scheduling/SchedulingSettings.ts";
import { table, writeSection } from "./report.ts";

/**
 * What the delivery-store hop costs (docs/decisions/0005): the same DeliveryStore calls made on the Postgres
 * adapter directly and through the remote adapter, the local Invoke API and the delivery-store handler, one
 * at a time, on a warm pool. Locally the hop is loopback HTTP plus JSON and Schema on both sides; in AWS add
 * Lambda's own invoke overhead (a few ms, more on a cold start).
 */
const CALLS = 500;

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
};

const measure = async (store: Layer.Layer<DeliveryStore>, ids: readonly string[]) => {
  const runtime = ManagedRuntime.make(store);
  const now = new Date("2026-03-07T09:00:30Z");
  const times = { claimDue: [] as number[], beginDispatch: [] as number[] };
  for (let i = 0; i < CALLS; i++) {
    const claim = performance.now();
    await runtime.runPromise(
      Effect.flatMap(DeliveryStore, (s) => s.claimDue({ now, limit: 10, leaseSeconds: 120, owner: "bench" })),
    );
    times.claimDue.push(performance.now() - claim);
    const begin = performance.now();
    await runtime.runPromise(
      Effect.flatMap(DeliveryStore, (s) => s.beginDispatch({ ids: [ids[i % ids.length] ?? ""], now, holdSeconds: 1 })),
    );
    times.beginDispatch.push(performance.now() - begin);
  }
  await runtime.dispose();
  return times;
};

export const run = async (): Promise<void> => {
  const dataRoot = mkdtempSync(join(tmpdir(), "rendezvous-bench-store-"));
  chmodSync(dataRoot, 0o755);
  const pg = await startPostgres({ dataDir: join(dataRoot, "pg"), port: await freePort(), ephemeral: true });
  const db = openDatabase({ url: pg.url, max: 2 });
  const spec = functions.find((fn) => fn.name === DELIVERY_STORE_FUNCTION);
  try {
    if (!spec) throw new Error("no delivery-store function in the manifest");
    await migrateDatabase(pg.url);
    const seeded = await db.sql<{ id: string }[]>`
      with u as (
        insert into users (id, first_name, last_name, birthday, time_zone, created_at, updated_at)
        select gen_random_uuid(), 'Bench', 'n' || g, '1990-03-07', 'UTC', now(), now() from generate_series(1, 100) g
        returning id
      ), e as (
        insert into yearly_events (id, user_id, type, date, created_at)
        select gen_random_uuid(), id, 'birthday', '1990-03-07', now() from u returning id, user_id
      )
      insert into deliveries (event_id, user_id, occurrence, send_at, status)
      select id, user_id, '2026-03-07', '2026-03-07T09:00:00Z', 'queued' from e returning id`;
    const ids = seeded.map((row) => row.id);
    const direct = postgresDeliveryStore(db.sql);
    const handler = makeDeliveryStoreHandler(
      ManagedRuntime.make(Layer.mergeAll(direct, Layer.succeed(SchedulingSettings, DEFAULT_POLICY))),
      makeLogger({}, () => {}),
    );
    const fn = makeLocalFunction(spec, handler, () => {}, "us-east-1");
    const server = await startInvokeServer({
      functions: [fn],
      port: await freePort(),
      region: "us-east-1",
      stackName: (name) => name,
    });
    const lambda = makeLambdaClient({ region: "us-east-1", endpoint: server.url, requestTimeoutMs: 10_000 });
    const remote = remoteDeliveryStore({ lambda, functionName: DELIVERY_STORE_FUNCTION });
    await measure(remote, ids); // warm both paths: prepared statements, sockets, JIT
    const onPostgres = await measure(direct, ids);
    const throughInvoke = await measure(remote, ids);
    await server.close();
    lambda.destroy();
    const row = (name: string, method: "claimDue" | "beginDispatch") => {
      const a = onPostgres[method];
      const b = throughInvoke[method];
      const fmt = (value: number) => value.toFixed(2);
      const extra = percentile(b, 50) - percentile(a, 50);
      return [name, fmt(percentile(a, 50)), fmt(percentile(b, 50)), fmt(percentile(b, 95)), fmt(extra)];
    };
    const markdown = [
      "## Delivery store over the Lambda Invoke API",
      "",
      `Command: \`npm run bench -- delivery-store\`. ${CALLS} calls of each method one after another on a warm pool (claimDue with nothing due, beginDispatch of one queued delivery), on the Postgres adapter directly and through the remote adapter, the local Invoke API (loopback HTTP) and the delivery-store handler. Milliseconds; in AWS add Lambda's own synchronous-invoke overhead.`,
      "",
      table(
        ["method", "Postgres p50", "via Invoke p50", "via Invoke p95", "added p50"],
        [row("claimDue (empty)", "claimDue"), row("beginDispatch (1 id)", "beginDispatch")],
      ),
    ].join("\n");
    console.log(markdown);
    writeSection("delivery-store", markdown);
  } finally {
    await db.close();
    await pg.stop();
    rmSync(dataRoot, { recursive: true, force: true });
  }
};
