import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY } from "../../core/scheduling/occurrence.ts";
import { ConfigError } from "./env.ts";
import {
  apiLayerFromEnv,
  deliveryStoreLayerFromEnv,
  dispatcherLayerFromEnv,
  readQueueUrl,
  readRecovery,
  readSchedulePolicy,
  schedulerLayerFromEnv,
} from "./scheduling.ts";
import { readWebhookUrl } from "./webhook-url.ts";

describe("scheduling settings from the environment", () => {
  it("defaults to 09:00, the same local day and Feb 28, and reads each setting", () => {
    expect(readSchedulePolicy({})).toEqual(DEFAULT_POLICY);
    expect(readSchedulePolicy({ SEND_TIME: "07:30", LATE_POLICY: "PT6H", LEAP_DAY_POLICY: "mar-1" })).toEqual({
      sendTime: { hour: 7, minute: 30 },
      latePolicy: { kind: "window", seconds: 21_600, iso: "PT6H" },
      leapDayPolicy: "mar-1",
    });
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ["a send time past midnight", { SEND_TIME: "24:00" }, /SEND_TIME: expected HH:mm/],
    ["a send time without minutes", { SEND_TIME: "9" }, /SEND_TIME/],
    ["a late policy in months", { LATE_POLICY: "P1M" }, /LATE_POLICY: expected same-local-day or an ISO-8601/],
    ["an unknown leap-day policy", { LEAP_DAY_POLICY: "feb-29" }, /LEAP_DAY_POLICY/],
  ])("refuses %s at cold start, naming the variable", (_name, env, message) => {
    const read = () => readSchedulePolicy(env);
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(message);
  });

  it("wants an https webhook URL (http only to this machine) and a queue URL", () => {
    expect(readWebhookUrl({ WEBHOOK_URL: "https://hooks.example.com/birthday" })).toBe(
      "https://hooks.example.com/birthday",
    );
    expect(readWebhookUrl({ WEBHOOK_URL: "http://127.0.0.1:4010/webhook" })).toBe("http://127.0.0.1:4010/webhook");
    expect(() => readWebhookUrl({ WEBHOOK_URL: "http://hooks.example.com/birthday" })).toThrow(/WEBHOOK_URL/);
    expect(() => readWebhookUrl({})).toThrow(/WEBHOOK_URL/);
    expect(() => readQueueUrl({})).toThrow(/DELIVERIES_QUEUE_URL/);
  });

  it("builds each function's layer from a valid environment and refuses a broken one before any request", () => {
    const database = {
      DATABASE_URL: "postgres://u@127.0.0.1:5432/db",
      LOCAL_DATABASE_CREDENTIALS: "/nonexistent/read-on-first-connection.json",
    };
    // Outside the VPC: no database variable at all, the delivery-store function instead.
    const env = {
      DELIVERY_STORE_FUNCTION: "rendezvous-staging-delivery-store",
      AWS_ENDPOINT_URL_LAMBDA: "http://127.0.0.1:4405",
      DELIVERIES_QUEUE_URL: "http://127.0.0.1:9324/000000000000/deliveries",
      DELIVERIES_DLQ_URL: "http://127.0.0.1:9324/000000000000/deliveries-dlq",
      AWS_ENDPOINT_URL_SQS: "http://127.0.0.1:9324",
      WEBHOOK_URL: "http://localhost:4010/webhook",
      WEBHOOK_SECRET: "whsec_c2VjcmV0",
    };
    expect(apiLayerFromEnv(database)).toBeDefined();
    expect(deliveryStoreLayerFromEnv(database)).toBeDefined();
    expect(schedulerLayerFromEnv(env)).toBeDefined();
    expect(dispatcherLayerFromEnv(env)).toBeDefined();
    expect(() => schedulerLayerFromEnv({ ...env, DELIVERY_STORE_FUNCTION: "" })).toThrow(/DELIVERY_STORE_FUNCTION/);
    expect(() => dispatcherLayerFromEnv({ ...env, DELIVERY_STORE_FUNCTION: undefined })).toThrow(
      /DELIVERY_STORE_FUNCTION/,
    );
    expect(() => schedulerLayerFromEnv({ ...env, DELIVERIES_QUEUE_URL: "" })).toThrow(/DELIVERIES_QUEUE_URL/);
    expect(() => apiLayerFromEnv({ ...database, SEND_TIME: "noon" })).toThrow(/SEND_TIME/);
    expect(() => deliveryStoreLayerFromEnv({ ...database, LEAP_DAY_POLICY: "feb-29" })).toThrow(/LEAP_DAY_POLICY/);
    expect(() => schedulerLayerFromEnv({ ...env, DELIVERIES_DLQ_URL: undefined })).toThrow(/DELIVERIES_DLQ_URL/);
    expect(() => dispatcherLayerFromEnv({ ...env, WEBHOOK_URL: "ftp://x" })).toThrow(/WEBHOOK_URL/);
    expect(() => apiLayerFromEnv({ ...database, LOCAL_DATABASE_CREDENTIALS: "" })).toThrow(
      /LOCAL_DATABASE_CREDENTIALS/,
    );
    expect(() => deliveryStoreLayerFromEnv({ ...database, LOCAL_DATABASE_CREDENTIALS: "" })).toThrow(
      /LOCAL_DATABASE_CREDENTIALS/,
    );
  });

  it("derives recovery's staleness from the queue (180 s visibility × 5 receives + 300 s); the local runtime's restart instant", () => {
    expect(readRecovery({})).toEqual({ staleSeconds: 1200 });
    expect(readRecovery({ LOCAL_QUEUE_STARTED_AT: "2026-03-07T09:00:00.000Z" })).toEqual({
      staleSeconds: 1200,
      lostBefore: new Date("2026-03-07T09:00:00.000Z"),
    });
    expect(() => readRecovery({ LOCAL_QUEUE_STARTED_AT: "yesterday" })).toThrow(/LOCAL_QUEUE_STARTED_AT/);
  });
});
