import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { makeLogger } from "../observe/log.ts";
import { databaseConnectionFromEnv } from "./database.ts";
import { ConfigError } from "./env.ts";

const quiet = makeLogger({}, () => {});
afterEach(() => vi.unstubAllEnvs());

describe("the database connection of a capability, in AWS", () => {
  const env = { DATABASE_HOST: "db.abc123.us-east-1.rds.amazonaws.com", DATABASE_NAME: "app", AWS_REGION: "us-east-1" };

  it("signs in as the capability's role with a fresh 15-minute IAM token per connection, over verified TLS", async () => {
    // The signer takes the function's credentials from its environment, as in Lambda; signing needs no network.
    vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    const connection = databaseConnectionFromEnv("matching", env, quiet);
    expect(connection).toMatchObject({
      url: "postgres://db.abc123.us-east-1.rds.amazonaws.com:5432/app",
      username: "rendezvous_matching",
      tls: {},
    });
    const token = new URL(`https://${await connection.password?.()}`);
    expect(token.host).toBe("db.abc123.us-east-1.rds.amazonaws.com:5432");
    expect(Object.fromEntries(token.searchParams)).toMatchObject({
      Action: "connect",
      DBUser: "rendezvous_matching",
      "X-Amz-Expires": "900",
    });
    expect(token.searchParams.get("X-Amz-Credential")).toMatch(/^AKIDEXAMPLE\/\d{8}\/us-east-1\/rds-db\/aws4_request$/);
  });

  it("refuses at cold start, naming the variable, without a host or with a bad port", () => {
    expect(() => databaseConnectionFromEnv("scheduling", {}, quiet)).toThrow(ConfigError);
    expect(() => databaseConnectionFromEnv("scheduling", {}, quiet)).toThrow(/DATABASE_HOST/);
    expect(() => databaseConnectionFromEnv("scheduling", { ...env, DATABASE_PORT: "fifty" }, quiet)).toThrow(
      /DATABASE_PORT: expected a port number/,
    );
  });
});

describe("the database connection of a capability, locally", () => {
  const file = join(mkdtempSync(join(tmpdir(), "credentials-")), "database-credentials.json");
  const env = { DATABASE_URL: "postgres://postgres@127.0.0.1:5432/rendezvous", LOCAL_DATABASE_CREDENTIALS: file };

  it("is DATABASE_URL's server as the capability's role, its password read again for every connection", async () => {
    writeFileSync(file, JSON.stringify({ rendezvous_scheduling: "first", rendezvous_matching: "other" }));
    const connection = databaseConnectionFromEnv("scheduling", env, quiet);
    expect(connection).toMatchObject({ url: env.DATABASE_URL, username: "rendezvous_scheduling" });
    expect(connection.tls).toBeUndefined();
    await expect(connection.password?.()).resolves.toBe("first");
    writeFileSync(file, JSON.stringify({ rendezvous_scheduling: "rotated" }));
    await expect(connection.password?.()).resolves.toBe("rotated");
  });

  it("logs a credential it cannot read and gives a failing password instead of rejecting", async () => {
    const lines: string[] = [];
    const log = makeLogger({}, (line) => lines.push(line));
    writeFileSync(file, JSON.stringify({ rendezvous_matching: "only-matching" }));
    await expect(databaseConnectionFromEnv("scheduling", env, log).password?.()).resolves.toBe("");
    const missing = { ...env, LOCAL_DATABASE_CREDENTIALS: `${file}.missing` };
    await expect(databaseConnectionFromEnv("scheduling", missing, log).password?.()).resolves.toBe("");
    expect(lines.map((line) => JSON.parse(line))).toMatchObject([
      {
        level: "error",
        message: "database credential unavailable",
        user: "rendezvous_scheduling",
        error: { name: "Error", message: /no password/ },
      },
      { level: "error", message: "database credential unavailable", error: { code: "ENOENT" } },
    ]);
  });

  it("refuses at cold start without LOCAL_DATABASE_CREDENTIALS", () => {
    expect(() => databaseConnectionFromEnv("matching", { DATABASE_URL: env.DATABASE_URL }, quiet)).toThrow(
      /LOCAL_DATABASE_CREDENTIALS/,
    );
  });
});
