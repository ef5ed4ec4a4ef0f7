import * as Schema from "effect/Schema";
import { describe, expect, it } from "vitest";
import { databaseUrlFromEnv } from "./database.ts";
import { ConfigError, JsonEnv, readEnv } from "./env.ts";

const Env = Schema.Struct({
  SESSIONS_TABLE_NAME: Schema.NonEmptyString,
  SESSION_POLICY: JsonEnv(Schema.Struct({ idle_timeout_seconds: Schema.Int })),
});

describe("readEnv", () => {
  it("decodes the variables, including JSON ones", () => {
    const env = readEnv(Env, { SESSIONS_TABLE_NAME: "t", SESSION_POLICY: '{"idle_timeout_seconds":60}' });
    expect(env.SESSION_POLICY.idle_timeout_seconds).toBe(60);
  });

  it("fails at cold start naming each bad variable", () => {
    const read = () => readEnv(Env, { SESSION_POLICY: '{"idle_timeout_seconds":"soon"}' });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(/SESSIONS_TABLE_NAME/);
    expect(read).toThrow(/SESSION_POLICY/);
  });
});

describe("databaseUrlFromEnv", () => {
  it("uses DATABASE_URL locally, without TLS", async () => {
    await expect(databaseUrlFromEnv({ DATABASE_URL: "postgres://x@127.0.0.1:5432/db" })).resolves.toEqual({
      url: "postgres://x@127.0.0.1:5432/db",
      ssl: false,
    });
  });

  it("builds a TLS URL from the host and the secret (given plainly here, as the local runtime can)", async () => {
    const env = {
      DATABASE_HOST: "db.internal",
      DATABASE_NAME: "app",
      DATABASE_SECRET: '{"username":"u","password":"p@ss/word"}',
    };
    const { url, ssl } = await databaseUrlFromEnv(env);
    expect(ssl).toBe(true);
    expect(new URL(url).host).toBe("db.internal:5432");
    expect(decodeURIComponent(new URL(url).password)).toBe("p@ss/word");
  });

  it("says what to set when nothing is configured", async () => {
    await expect(databaseUrlFromEnv({})).rejects.toThrow(/DATABASE_HOST/);
  });
});
