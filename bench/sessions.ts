import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import * as ManagedRuntime from "effect/ManagedRuntime";
import { makeDynamoDocumentClient } from "../adapters/dynamodb/client.ts";
import { makeDynamoSessionStore } from "../adapters/dynamodb/sessions.ts";
import { createSessionsTable } from "../adapters/dynamodb/sessions-table.ts";
import { startDynamo } from "../adapters/local-engines/dynamodb.ts";
import { SettableClock } from "../adapters/memory/clock.ts";
import { sequentialIds } from "../adapters/memory/ids.ts";
import { makeMemorySessionStore } from "../adapters/memory/sessions.ts";
import { nodeSecretHasher } from "../adapters/node/hasher.ts";
import { createSession } from "../core/sessions/create.ts";
import { IdentityVerifier } from "../core/sessions/IdentityVerifier.ts";
import { defaultSessionPolicy } from "../core/sessions/model.ts";
import { sessionPolicyLayer } from "../core/sessions/SessionPolicy.ts";
import { SessionStore } from "../core/sessions/SessionStore.ts";
import { validateSession } from "../core/sessions/validate.ts";
import { table, timed, writeSection } from "./report.ts";

/**
 * Sessions: validate throughput of the core on the memory store and on DynamoDB (dynalite, in process); the
 * bundled handler's size and import time are bench/bundles.ts's, with every function's. Seeded ids (seed 42) and a
 * clock that stands still, so every validate is the read-only path (a touch happens at most once per touch interval
 * per session anyway).
 */
const SEED = 42;
const USERS = 1_000;
const MEMORY_VALIDATIONS = 200_000;
const DYNAMO_SESSIONS = 200;
const DYNAMO_VALIDATIONS = 5_000;
const DYNAMO_CONCURRENCY = 8;

const verifier = Layer.succeed(IdentityVerifier, {
  verify: ({ provider, idToken }) => Effect.succeed({ provider, subject: idToken }),
});
const layerWith = (store: Layer.Layer<SessionStore>) =>
  Layer.mergeAll(
    store,
    verifier,
    new SettableClock("2026-11-23T10:00:00Z").layer,
    sequentialIds(SEED),
    nodeSecretHasher,
    sessionPolicyLayer({ ...defaultSessionPolicy, maxSessionsPerUser: 1_000 }),
  );

type Runtime = ManagedRuntime.ManagedRuntime<Layer.Success<ReturnType<typeof layerWith>>, never>;

const signInAll = (runtime: Runtime, users: number): Promise<string[]> =>
  Promise.all(
    Array.from({ length: users }, (_, i) =>
      runtime.runPromise(createSession({ provider: "bench", idToken: `user-${i}` })).then((c) => c.token),
    ),
  );

const perSecond = (count: number, ms: number) => Math.round((count / ms) * 1000).toLocaleString("en-US");
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

const memoryFigures = async () => {
  const runtime = ManagedRuntime.make(layerWith(makeMemorySessionStore().layer));
  const tokens = await signInAll(runtime, USERS);
  const pick = (i: number) => tokens[(i * 7919) % tokens.length] as string;
  for (let i = 0; i < 5_000; i++) await runtime.runPromise(validateSession(pick(i))); // warm-up
  const perCall = await timed(async () => {
    for (let i = 0; i < MEMORY_VALIDATIONS; i++) await runtime.runPromise(validateSession(pick(i)));
  });
  const inOneFiber = await timed(() =>
    runtime.runPromise(
      Effect.forEach(
        Array.from({ length: MEMORY_VALIDATIONS }, (_, i) => pick(i)),
        validateSession,
        { discard: true },
      ),
    ),
  );
  await runtime.dispose();
  return { perCall: perCall.ms, inOneFiber: inOneFiber.ms };
};

const dynamoFigures = async () => {
  const dynamo = await startDynamo();
  try {
    const client = makeDynamoDocumentClient({ region: "us-east-1", endpoint: dynamo.endpoint });
    await createSessionsTable(client, "bench_sessions");
    const store = Layer.succeed(SessionStore, makeDynamoSessionStore(client, "bench_sessions"));
    const runtime = ManagedRuntime.make(layerWith(store));
    const created = await timed(() => signInAll(runtime, DYNAMO_SESSIONS));
    const tokens = created.value;
    const latencies: number[] = [];
    const total = await timed(async () => {
      let next = 0;
      await Promise.all(
        Array.from({ length: DYNAMO_CONCURRENCY }, async () => {
          while (next < DYNAMO_VALIDATIONS) {
            const token = tokens[next++ % tokens.length] as string;
            const one = await timed(() => runtime.runPromise(validateSession(token)));
            latencies.push(one.ms);
          }
        }),
      );
    });
    await runtime.dispose();
    latencies.sort((a, b) => a - b);
    return {
      createMs: created.ms,
      totalMs: total.ms,
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
    };
  } finally {
    await dynamo.stop();
  }
};

export const run = async (): Promise<void> => {
  const memory = await memoryFigures();
  const dynamo = await dynamoFigures();
  writeSection(
    "sessions",
    `## Sessions

Command: \`npm run bench -- sessions\`. Seed ${SEED}; SHA-256 via node:crypto; a standing clock, so validations take the read-only path.

${table(
  ["workload", "operations", "wall ms", "per second", "latency p50 / p99 ms"],
  [
    [
      `validate, memory store, one runPromise per call (as a handler runs it), ${USERS} sessions`,
      MEMORY_VALIDATIONS,
      memory.perCall.toFixed(0),
      perSecond(MEMORY_VALIDATIONS, memory.perCall),
      "-",
    ],
    [
      `validate, memory store, one fiber for all`,
      MEMORY_VALIDATIONS,
      memory.inOneFiber.toFixed(0),
      perSecond(MEMORY_VALIDATIONS, memory.inOneFiber),
      "-",
    ],
    [
      `create (verify stubbed), DynamoDB on dynalite`,
      DYNAMO_SESSIONS,
      dynamo.createMs.toFixed(0),
      perSecond(DYNAMO_SESSIONS, dynamo.createMs),
      "-",
    ],
    [
      `validate, DynamoDB on dynalite, ${DYNAMO_CONCURRENCY} concurrent (2 consistent GetItems each)`,
      DYNAMO_VALIDATIONS,
      dynamo.totalMs.toFixed(0),
      perSecond(DYNAMO_VALIDATIONS, dynamo.totalMs),
      `${dynamo.p50.toFixed(2)} / ${dynamo.p99.toFixed(2)}`,
    ],
  ],
)}

The sessions function's bundle (size, import time, against the goal of < 300 KB and < 100 ms) is measured with every other function's in "Function bundles" (\`npm run bench -- bundles\`), by one method.

dynalite is an in-process JavaScript emulation: its figures compare changes to this code, not DynamoDB's real latency.`,
  );
};
