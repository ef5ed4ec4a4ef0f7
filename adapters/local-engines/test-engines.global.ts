import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startDynamo } from "./dynamodb.ts";
import { freePort } from "./ports.ts";
import { startPostgres } from "./postgres.ts";
import { startSqs } from "./sqs.ts";

/** What every test file can `inject("engines")`: the endpoints of the engines started once for the run. */
export interface EngineEndpoints {
  readonly postgresUrl: string;
  readonly dynamoEndpoint: string;
  readonly sqsEndpoint: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    engines: EngineEndpoints;
  }
}

/**
 * vitest globalSetup: starts PostgreSQL 17, dynalite and fauxqs on free ports once per test run and stops them
 * (and deletes the throwaway data) when the run ends. Each test file then takes its own database, tables and
 * queues through ./testing.ts, so files run in parallel without seeing each other.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dataRoot = mkdtempSync(join(tmpdir(), "rendezvous-test-"));
  chmodSync(dataRoot, 0o755); // as root, PostgreSQL runs as the postgres user and must reach its data dir
  const [postgres, dynamo, sqs] = await Promise.all([
    freePort().then((port) => startPostgres({ dataDir: join(dataRoot, "pg"), port, ephemeral: true })),
    startDynamo(),
    startSqs(),
  ]);
  project.provide("engines", {
    postgresUrl: postgres.url,
    dynamoEndpoint: dynamo.endpoint,
    sqsEndpoint: sqs.endpoint,
  });
  return async () => {
    await Promise.all([postgres.stop(), dynamo.stop(), sqs.stop()]);
    rmSync(dataRoot, { recursive: true, force: true });
  };
}
