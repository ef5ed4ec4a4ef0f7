import * as ManagedRuntime from "effect/ManagedRuntime";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runtimeDatabaseEnv } from "../../adapters/local-engines/testing.ts";
import { bodyOf, urlEvent } from "../http/testing.ts";
import { makeLogger } from "../observe/log.ts";
import { apiLayerFromEnv } from "../runtime/scheduling.ts";
import { startSchedulingApi } from "./api-testing.ts";
import { makeSchedulingHandler } from "./routes.ts";

/** The scheduling API over real-shaped function URL events, on real Postgres, at 2026-03-01T00:00Z. */
let call: Awaited<ReturnType<typeof startSchedulingApi>>["call"];
beforeAll(async () => {
  ({ call } = await startSchedulingApi("2026-03-01T00:00:00Z"));
});
afterAll(() => vi.restoreAllMocks());

interface UserBody {
  id: string;
  timezone: string;
  email: string | null;
  events: Array<{ id: string; type: string; next_send_at: string }>;
  next_messages: Array<{ event_id: string; type: string; send_at: string; local_send_at: string }>;
  deliveries: unknown[];
}

const john = { first_name: "John", last_name: "Doe", birthday: "1990-03-07", timezone: "America/New_York" };

describe("the scheduling API", () => {
  it("creates a user with its birthday's next message at 09:00 local, and reads it back", async () => {
    const created = await call({ method: "POST", path: "/users", body: { ...john, email: "john@example.com" } });
    expect(created.status).toBe(201);
    expect(created.headers["x-request-id"]).toBeTruthy();
    const user = created.body as unknown as UserBody;
    expect(user).toMatchObject({ first_name: "John", timezone: "America/New_York", email: "john@example.com" });
    expect(user.next_messages).toEqual([
      {
        event_id: user.events[0]?.id,
        type: "birthday",
        occurrence: "2026-03-07",
        send_at: "2026-03-07T14:00:00.000Z",
        local_send_at: "2026-03-07T09:00",
      },
    ]);
    const read = await call({ path: `/users/${user.id}` });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: user.id, next_messages: user.next_messages, deliveries: [] });
  });

  it("recomputes the pending message on PATCH and PUT; PUT without email clears it", async () => {
    const user = (await call({ method: "POST", path: "/users", body: { ...john, email: "j@example.com" } }))
      .body as unknown as UserBody;
    const patched = await call({ method: "PATCH", path: `/users/${user.id}`, body: { timezone: "Europe/London" } });
    expect(patched.status).toBe(200);
    expect((patched.body as unknown as UserBody).next_messages[0]?.send_at).toBe("2026-03-07T09:00:00.000Z");
    const put = await call({
      method: "PUT",
      path: `/users/${user.id}`,
      body: { ...john, birthday: "1990-04-01", timezone: "Asia/Tokyo" },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ email: null, birthday: "1990-04-01", timezone: "Asia/Tokyo" });
    expect((put.body as unknown as UserBody).next_messages).toMatchObject([
      { send_at: "2026-04-01T00:00:00.000Z", local_send_at: "2026-04-01T09:00" },
    ]);
  });

  it("adds and removes an anniversary with its own template", async () => {
    const user = (await call({ method: "POST", path: "/users", body: john })).body as unknown as UserBody;
    const added = await call({
      method: "POST",
      path: `/users/${user.id}/events`,
      body: { type: "anniversary", date: "2016-06-18", message: "Happy {years}th, {first_name}!" },
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({
      type: "anniversary",
      date: "2016-06-18",
      message: "Happy {years}th, {first_name}!",
      next_send_at: "2026-06-18T13:00:00.000Z",
      local_send_at: "2026-06-18T09:00",
    });
    const read = await call({ path: `/users/${user.id}` });
    expect((read.body as unknown as UserBody).next_messages.map((m) => m.type).sort()).toEqual([
      "anniversary",
      "birthday",
    ]);
    const removed = await call({ method: "DELETE", path: `/users/${user.id}/events/${added.body.id}` });
    expect(removed.status).toBe(204);
    const after = await call({ path: `/users/${user.id}` });
    expect((after.body as unknown as UserBody).events.map((event) => event.type)).toEqual(["birthday"]);
  });

  it("deletes a user, cancelling its pending message, and lists deliveries by status", async () => {
    const user = (await call({ method: "POST", path: "/users", body: john })).body as unknown as UserBody;
    expect((await call({ method: "DELETE", path: `/users/${user.id}` })).status).toBe(204);
    expect((await call({ path: `/users/${user.id}` })).status).toBe(404);
    const cancelled = await call({ path: "/deliveries", query: "status=cancelled&limit=50" });
    expect(cancelled.status).toBe(200);
    const rows = cancelled.body.deliveries as Array<{ user_id: string; status: string }>;
    expect(rows.filter((row) => row.user_id === user.id)).toMatchObject([{ status: "cancelled" }]);
    const pending = await call({ path: "/deliveries", query: "status=pending" });
    expect((pending.body.deliveries as Array<{ status: string }>).every((row) => row.status === "pending")).toBe(true);
    const all = (await call({ path: "/deliveries" })).body.deliveries as Array<{ status: string }>;
    expect(new Set(all.map((row) => row.status))).toEqual(new Set(["pending", "cancelled"]));
  });

  it("answers GET /health with the database checked", async () => {
    const health = await call({ path: "/health" });
    expect(health).toMatchObject({ status: 200, body: { status: "healthy", checks: { database: "ok" } } });
  });

  it("answers 503 dependency_unavailable, never a 500, when the database is down", async () => {
    const runtime = ManagedRuntime.make(apiLayerFromEnv(runtimeDatabaseEnv("postgres://nobody@127.0.0.1:1/none")));
    const handler = makeSchedulingHandler(
      runtime,
      makeLogger({}, () => {}),
    );
    const created = await handler(urlEvent({ method: "POST", path: "/users", body: john }));
    expect(created.statusCode).toBe(503);
    expect(bodyOf(created)).toMatchObject({ error: { code: "dependency_unavailable" } });
    const health = await handler(urlEvent({ path: "/health" }));
    expect(health.statusCode).toBe(503);
    expect(bodyOf(health)).toMatchObject({ status: "unhealthy", checks: { database: "failed" } });
    await runtime.dispose();
  });
});
