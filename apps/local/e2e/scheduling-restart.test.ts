import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FIXED_PORTS } from "../port-plan.ts";
import { type LocalRuntime, startLocalRuntime } from "../runtime.ts";
import { call, type LocalStack, stackOf } from "./client.ts";
import { firstWebhookFor, queuesDrained, webhooksFor } from "./webhooks.ts";

/**
 * Downtime, end to end: the runtime stops for a simulated day and restarts on the same data. The missed message
 * whose local day is not over is sent late (LATE_POLICY same-local-day, the default); the one whose local day
 * ended during the downtime is recorded as skipped and never sent. Sessions and users survive the restart.
 */
const dataDir = mkdtempSync(join(tmpdir(), "rendezvous-e2e-restart-"));
let running: LocalRuntime | undefined;
afterAll(async () => {
  await running?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const start = async (ports?: LocalRuntime["ports"]): Promise<LocalStack> => {
  const byName = ports
    ? { ...Object.fromEntries(FIXED_PORTS.map((name) => [name, ports[name]])), ...ports.functions }
    : undefined;
  running = await startLocalRuntime({ dataDir, ephemeral: true, ports: byName ? { byName } : "free", log: () => {} });
  return stackOf(running);
};

describe("a restart after a simulated day of downtime", () => {
  it("recovers the missed message per the late policy and keeps users and sessions", async () => {
    let stack = await start();
    await stack.setClock("2026-07-01T12:00:00Z");
    const create = (first_name: string, timezone: string) =>
      call(stack.url("scheduling"), "POST", "/users", {
        body: { first_name, last_name: "Late", birthday: "1985-07-02", timezone },
      }).then((answer) => answer.body as { id: string });
    // Paris: 09:00 on July 2 is 07:00Z and the local day lasts until 22:00Z.
    const paris = await create("Paul", "Europe/Paris");
    // Kiritimati (UTC+14): 09:00 on July 2 is July 1 19:00Z, and its local day ends at July 2 10:00Z.
    const kiritimati = await create("Kiri", "Pacific/Kiritimati");
    const idToken = await stack.idToken("late-user");
    const signedIn = await call(stack.url("sessions"), "POST", "/auth/session", {
      body: { provider: "local", id_token: idToken },
    });
    const sessionId = (signedIn.body as { session_id: string }).session_id;

    const ports = stack.runtime.ports;
    await stack.runtime.stop();
    running = undefined;
    stack = await start(ports);
    await stack.setClock("2026-07-02T12:00:00Z");

    const sent = await firstWebhookFor(stack, paris.id, "Paul in Paris");
    expect(sent).toMatchObject({ verified: true, body: { user_id: paris.id, occurrence: "2026-07-02" } });

    await stack.control("POST", "/_local/schedules/scheduler/run", {});
    await queuesDrained(stack);
    expect(await webhooksFor(stack, kiritimati.id)).toHaveLength(0);
    expect(await webhooksFor(stack, paris.id)).toHaveLength(1);
    const skipped = await call(stack.url("scheduling"), "GET", "/deliveries?status=skipped");
    expect(JSON.stringify(skipped.body)).toContain(kiritimati.id);

    const user = await call(stack.url("scheduling"), "GET", `/users/${paris.id}`);
    expect(user.status).toBe(200);
    const valid = await call(stack.url("sessions"), "POST", "/auth/validate", { body: { session_id: sessionId } });
    expect(valid.body).toMatchObject({ valid: true, user_id: "late-user" });
  });
});
