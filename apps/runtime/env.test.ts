import * as Schema from "effect/Schema";
import { describe, expect, it } from "vitest";
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
