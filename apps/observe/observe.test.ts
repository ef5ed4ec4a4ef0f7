import { DrizzleQueryError } from "drizzle-orm/errors";
import { afterEach, describe, expect, it } from "vitest";
import { DependencyUnavailable } from "../../core/shared/errors.ts";
import { makeMetricStore } from "../local/metric-store.ts";
import { describeError, makeLogger } from "./log.ts";
import { emfLine, makeMetrics } from "./metrics.ts";
import { redactText, registerSecret } from "./redact.ts";

const SESSION_TOKEN = "AbCdEfGhIjKlMnOp.q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c2v";
const ID_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSIsImV4cCI6MTc2NzAwMDAwMH0.c2lnbmF0dXJlLWJ5dGVz";
const WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

describe("redactText", () => {
  it.each([
    ["a session token", `token ${SESSION_TOKEN} refused`, SESSION_TOKEN],
    ["an ID token", `jwt ${ID_TOKEN} expired`, ID_TOKEN],
    ["a webhook secret", `secret ${WEBHOOK_SECRET} rejected`, WEBHOOK_SECRET],
    ["a bearer header", "Authorization: Bearer abc.def-ghi", "abc.def-ghi"],
    ["a password in a URL", "connect postgres://app:hunter2hunter2@db:5432/x failed", "hunter2hunter2"],
    ["a SQL literal", "bad value 'alice@example.com' here", "alice@example.com"],
    ["a quoted value", 'invalid input syntax for type uuid: "not a uuid"', "not a uuid"],
    [
      "a bare long secret",
      "key=Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eA== end",
      "Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eA==",
    ],
  ])("removes %s", (_, text, secret) => {
    const redacted = redactText(text);
    expect(redacted).not.toContain(secret);
    expect(redacted.length).toBeGreaterThan(0);
  });

  it("removes SQL statements and a driver's failed query with its parameters", () => {
    expect(redactText("Failed query: select * from sessions where pk = $1\nparams: abc")).toBe("[query redacted]");
    expect(redactText("boom: SELECT user_id FROM deliveries WHERE id = 1")).toBe("boom: [sql redacted]");
    expect(redactText("then insert into users (a) values (1)")).toBe("then [sql redacted]");
  });

  it("keeps what an operator needs: ids, identifiers, plain words", () => {
    const text = 'relation "yearly_events" does not exist for 3f2504e0-4f89-11d3-9a0c-0305e82c3301';
    expect(redactText(text)).toBe(text);
    expect(redactText("a word ".repeat(60))).toHaveLength(301);
  });

  it("removes a registered secret wherever it appears", () => {
    registerSecret("pg-password-42");
    expect(redactText("auth failed for pg-password-42!")).toBe("auth failed for [redacted]!");
  });
});

describe("the logger", () => {
  const lines: string[] = [];
  const logger = makeLogger({ function: "test" }, (line) => lines.push(line));
  const last = () => JSON.parse(lines.at(-1) ?? "{}");
  afterEach(() => {
    lines.length = 0;
    delete process.env.LOG_LEVEL;
    delete process.env._X_AMZN_TRACE_ID;
  });

  it("writes level, message, timestamp, function and the trace's root id", () => {
    process.env._X_AMZN_TRACE_ID = "Root=1-67890abc-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1";
    logger.child({ run_id: "r-1" }).info("matcher run", { pool_size: 3 });
    expect(last()).toMatchObject({
      level: "info",
      message: "matcher run",
      function: "test",
      trace_id: "1-67890abc-0123456789abcdef01234567",
      run_id: "r-1",
      pool_size: 3,
    });
    expect(Date.parse(last().timestamp)).not.toBeNaN();
  });

  it("filters by LOG_LEVEL", () => {
    process.env.LOG_LEVEL = "warn";
    logger.info("dropped");
    logger.debug("dropped too");
    logger.warn("kept");
    expect(lines.map((line) => JSON.parse(line).message)).toEqual(["kept"]);
    process.env.LOG_LEVEL = "debug";
    logger.debug("now kept");
    expect(last().message).toBe("now kept");
  });

  it("drops credential keys and redacts every string value, nested too", () => {
    logger.warn("odd", { session_id: SESSION_TOKEN, nested: { id_token: ID_TOKEN, note: `saw ${SESSION_TOKEN}` } });
    expect(lines[0]).not.toContain(SESSION_TOKEN);
    expect(lines[0]).not.toContain(ID_TOKEN);
    expect(last().nested).toEqual({ note: "saw [redacted]" });
  });
});

describe("describeError", () => {
  it("names a dependency and its cause, and never a driver's query or parameters", () => {
    const postgres = Object.assign(new Error('invalid input syntax for type uuid: "tok"'), { code: "22P02" });
    const query = new DrizzleQueryError("select * from sessions where token = $1", [SESSION_TOKEN], postgres);
    const described = describeError(new DependencyUnavailable({ dependency: "database", cause: query }));
    expect(described.error).toMatchObject({
      name: "DependencyUnavailable",
      dependency: "database",
      cause: {
        message: "[query redacted]",
        cause: { code: "22P02", message: 'invalid input syntax for type uuid: "…"' },
      },
    });
    expect(JSON.stringify(described)).not.toMatch(/select|sessions|tok"/);
  });

  it("says where a defect was thrown, relative to the project", () => {
    expect(describeError(new TypeError("x is undefined")).error).toMatchObject({
      name: "TypeError",
      message: "x is undefined",
      at: expect.stringMatching(/^apps\/observe\/observe\.test\.ts:\d+$/),
    });
  });
});

describe("metrics as EMF", () => {
  it("writes one EMF line per datum, with the Stack and the metric's own dimension", () => {
    const lines: string[] = [];
    const record = makeMetrics((line) => lines.push(line));
    process.env.RENDEZVOUS_STAGE = "staging";
    record("Deliveries", "delivered");
    record("DeliveryLateness", 1250);
    delete process.env.RENDEZVOUS_STAGE;
    expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: "Rendezvous/Scheduling",
            Dimensions: [["Stack", "Outcome"]],
            Metrics: [{ Name: "Deliveries", Unit: "Count" }],
          },
        ],
      },
      Stack: "staging",
      Outcome: "delivered",
      Deliveries: 1,
    });
    expect(JSON.parse(lines[1] ?? "{}")).toMatchObject({ DeliveryLateness: 1250, Stack: "staging" });
  });

  it("is read back by the local metric store, with totals per dimension values", () => {
    const store = makeMetricStore();
    for (const outcome of ["delivered", "delivered", "retried"] as const)
      store.accept(JSON.parse(emfLine("Deliveries", 1, outcome)));
    store.accept(JSON.parse(emfLine("Pairs", 4, "0")));
    expect(store.accept({ level: "info", message: "not a metric" })).toBe(false);
    const series = store.list({ namespace: "Rendezvous/Scheduling" });
    expect(series.map((entry) => [entry.dimensions.Outcome, entry.count, entry.sum])).toEqual([
      ["delivered", 2, 2],
      ["retried", 1, 1],
    ]);
    expect(store.list().find((entry) => entry.name === "Pairs")).toMatchObject({ dimensions: { Tier: "0" }, sum: 4 });
  });
});
