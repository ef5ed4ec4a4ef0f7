import { describe, expect, it } from "vitest";
import { defaultSessionPolicy } from "../../core/sessions/model.ts";
import { ConfigError } from "./env.ts";
import { authenticatorLayerFromEnv, readSessionsSettings, sessionsLayerFromEnv } from "./sessions.ts";

const provider = { issuer: "https://accounts.example", audience: "app", jwksUrl: "https://accounts.example/jwks" };

describe("sessions settings from the environment", () => {
  it("applies the policy defaults and reads the providers", () => {
    const settings = readSessionsSettings({
      SESSIONS_TABLE_NAME: "rendezvous-sessions",
      OIDC_PROVIDERS: JSON.stringify({ google: provider }),
      SESSION_POLICY: JSON.stringify({ maxSessionsPerUser: 3 }),
    });
    expect(settings).toEqual({
      tableName: "rendezvous-sessions",
      policy: { ...defaultSessionPolicy, maxSessionsPerUser: 3 },
      providers: { google: provider },
    });
    expect(readSessionsSettings({ SESSIONS_TABLE_NAME: "t-1" }).providers).toEqual({});
    const shortLived = { ...provider, maxExpiresInSeconds: 3600 };
    const read = readSessionsSettings({
      SESSIONS_TABLE_NAME: "t-1",
      OIDC_PROVIDERS: JSON.stringify({ g: shortLived }),
    });
    expect(read.providers).toEqual({ g: shortLived });
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ["a missing table name", {}, /SESSIONS_TABLE_NAME/],
    ["providers that are not JSON", { OIDC_PROVIDERS: "{google" }, /OIDC_PROVIDERS/],
    [
      "a provider without an audience",
      { OIDC_PROVIDERS: JSON.stringify({ google: { ...provider, audience: "" } }) },
      /OIDC_PROVIDERS\.google\.audience/,
    ],
    [
      "a JWKS over plain http to another host",
      { OIDC_PROVIDERS: JSON.stringify({ google: { ...provider, jwksUrl: "http://evil.example/jwks" } }) },
      /jwksUrl: expected an https URL/,
    ],
    [
      "an ID token lifetime cap under a minute",
      { OIDC_PROVIDERS: JSON.stringify({ google: { ...provider, maxExpiresInSeconds: 5 } }) },
      /OIDC_PROVIDERS\.google\.maxExpiresInSeconds/,
    ],
    ["a negative idle timeout", { SESSION_POLICY: '{"idleTimeoutSeconds":-1}' }, /SESSION_POLICY\.idleTimeoutSeconds/],
    ["a fractional cap", { SESSION_POLICY: '{"maxSessionsPerUser":2.5}' }, /SESSION_POLICY\.maxSessionsPerUser/],
    [
      "a touch interval as long as the idle timeout",
      { SESSION_POLICY: '{"idleTimeoutSeconds":300,"touchIntervalSeconds":300}' },
      /touchIntervalSeconds must be below/,
    ],
  ])("refuses %s at cold start, naming the variable", (name, env, message) => {
    const table = name === "a missing table name" ? {} : { SESSIONS_TABLE_NAME: "t-1" };
    const read = () => readSessionsSettings({ ...table, ...env });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(message);
  });

  it("builds both layers from a valid environment, and the authenticator needs no OIDC settings", () => {
    const lambda = { AWS_REGION: "eu-west-1", AWS_ACCESS_KEY_ID: "AKID", AWS_SECRET_ACCESS_KEY: "secret" };
    expect(sessionsLayerFromEnv({ SESSIONS_TABLE_NAME: "t-1", ...lambda })).toBeDefined();
    expect(
      sessionsLayerFromEnv({ SESSIONS_TABLE_NAME: "t-1", AWS_ENDPOINT_URL_DYNAMODB: "http://127.0.0.1:1" }),
    ).toBeDefined();
    expect(
      authenticatorLayerFromEnv({ SESSIONS_TABLE_NAME: "t-1", OIDC_PROVIDERS: "{not json", ...lambda }),
    ).toBeDefined();
    expect(() => authenticatorLayerFromEnv({})).toThrow(/SESSIONS_TABLE_NAME/);
  });
});
