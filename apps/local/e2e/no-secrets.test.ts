import { readFileSync } from "node:fs";
import { join } from "node:path";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { call, type LocalStack, useLocalStack } from "./client.ts";
import { firstWebhookFor } from "./webhooks.ts";

/**
 * No secret ever reaches a log (issue 11): every capability's flows run with real secrets (session tokens, ID
 * tokens, the webhook signing secret, the database passwords, the identity provider's private key), then each
 * error path is provoked: bad input, a dependency down (a table gone), a defect (a row no code can read). Every
 * line the runtime and its functions wrote, and what the console's routes serve, is scanned for those values and
 * for SQL text.
 */
const lines: string[] = [];
const stack = useLocalStack({ onLine: (line) => lines.push(line), log: (line) => lines.push(line) });
const secrets = new Set<string>();

const signIn = async (sub: string): Promise<string> => {
  const idToken = await stack().idToken(sub, `${sub}@example.com`);
  secrets.add(idToken);
  const answer = await call(stack().url("sessions"), "POST", "/auth/session", {
    body: { provider: "local", id_token: idToken, device: "Laptop" },
  });
  expect(answer.status).toBe(201);
  const token = (answer.body as { session_id: string }).session_id;
  secrets.add(token);
  return token;
};

const superuser = () => postgres(process.env.DATABASE_URL ?? "", { max: 1, onnotice: () => {} });

const sessionsFlows = async () => {
  const sessions = stack().url("sessions");
  const token = await signIn("alice");
  await signIn("alice");
  expect((await call(sessions, "POST", "/auth/validate", { body: { session_id: token } })).status).toBe(200);
  expect((await call(sessions, "GET", "/auth/sessions", { bearer: token })).status).toBe(200);
  // Bad input carrying credentials where they do not belong: refused, and the values never echoed to a log.
  const idToken = await stack().idToken("alice");
  secrets.add(idToken);
  for (const body of [
    { provider: "okta", id_token: idToken },
    { provider: "local", id_token: `${idToken}x` },
  ]) {
    expect((await call(sessions, "POST", "/auth/session", { body })).status).toBeGreaterThanOrEqual(400);
  }
  expect((await call(sessions, "GET", "/auth/sessions", { bearer: `${token}x` })).status).toBe(401);
  expect((await call(sessions, "DELETE", "/auth/sessions", { bearer: token })).status).toBe(200);
};

const schedulingFlows = async (): Promise<void> => {
  const scheduling = stack().url("scheduling");
  await stack().setClock("2026-04-01T08:59:00Z");
  const created = await call(scheduling, "POST", "/users", {
    body: { first_name: "Ada", last_name: "Lovelace", timezone: "UTC", birthday: "1990-04-01" },
  });
  expect(created.status).toBe(201);
  const userId = (created.body as { id: string }).id;
  await stack().setClock("2026-04-01T09:00:00Z");
  await stack().control("POST", "/_local/schedules/scheduler/run", {});
  expect((await firstWebhookFor(stack(), userId, "Ada")).verified).toBe(true);
  const bad = await call(scheduling, "POST", "/users", {
    body: { first_name: `A\u0000${[...secrets][0]}`, last_name: "x", timezone: "UTC", birthday: "1990-04-01" },
  });
  expect(bad.status).toBe(400);
};

const matchingFlows = async (): Promise<string[]> => {
  const matching = stack().url("matching");
  const chips = { activities: ["chess"], when: ["sun-evening"], where: "Berlin", must_haves: ["where"] };
  const mia = await signIn("mia");
  const tokens = [mia, await signIn("noah")];
  for (const bearer of tokens) {
    expect((await call(matching, "PUT", "/intention", { bearer, body: { chips } })).status).toBe(201);
  }
  expect((await stack().control("POST", "/_local/schedules/matcher/run", {})).status).toBe(200);
  const match = await call(matching, "GET", "/match", { bearer: mia });
  const matchId = (match.body as { match: { id: string } }).match.id;
  expect((await call(matching, "POST", `/match/${matchId}/accept`, { bearer: mia })).status).toBe(200);
  return tokens;
};

/** The values no line may hold: what the flows minted, and what the runtime keeps in its data dir. */
const storedSecrets = (current: LocalStack) => {
  const dir = current.runtime.dataDir;
  secrets.add(readFileSync(join(dir, "webhook-secret"), "utf8").trim());
  const passwords = JSON.parse(readFileSync(join(dir, "database-credentials.json"), "utf8")) as Record<string, string>;
  for (const password of Object.values(passwords)) secrets.add(password);
  const key = JSON.parse(readFileSync(join(dir, "idp-key.json"), "utf8")) as Record<string, string>;
  for (const part of ["d", "p", "q", "dp", "dq", "qi"]) if (key[part]) secrets.add(key[part]);
};

const SQL = /\b(select\s[\s\S]*?\sfrom|insert\s+into|update\s+\w+\s+set|delete\s+from|params:)/i;

describe("no secret in any log line", () => {
  it("runs every capability and every error path, and no line holds a secret or SQL", async () => {
    await sessionsFlows();
    await schedulingFlows();
    const [, bearer = ""] = await matchingFlows();
    const zoe = await signIn("zoe");
    const chips = { activities: ["chess"], when: ["sun-evening"], where: "Berlin" };
    expect((await call(stack().url("matching"), "PUT", "/intention", { bearer: zoe, body: { chips } })).status).toBe(
      201,
    );

    const sql = superuser();
    try {
      // A dependency down: the matching tables are gone for a moment (a 503 naming the database).
      await sql`alter table intentions rename to intentions_away`;
      const down = await call(stack().url("matching"), "GET", "/intention", { bearer });
      await sql`alter table intentions_away rename to intentions`;
      expect(down.status).toBe(503);
      // A defect: a row no code can read (chips that are JSON null), behind a valid request.
      await sql`update intentions set chips = 'null'::jsonb where user_id = 'zoe'`;
      const defect = await call(stack().url("matching"), "POST", "/candidates", { bearer: zoe, body: {} });
      expect(defect.status).toBe(500);
    } finally {
      await sql.end();
    }

    storedSecrets(stack());
    const served = [
      JSON.stringify((await stack().control("GET", "/_local/invocations?limit=200")).body),
      JSON.stringify((await stack().control("GET", "/_local/metrics")).body),
    ];
    const everything = [...lines, ...served];
    expect(lines.length).toBeGreaterThan(50);
    for (const secret of secrets) {
      const leaks = everything.filter((line) => line.includes(secret));
      expect(leaks, `a secret of ${secret.length} characters`).toEqual([]);
    }
    expect(everything.filter((line) => SQL.test(line))).toEqual([]);

    // The two error paths each left one line saying what happened.
    const parsed = lines.filter((line) => line.startsWith("{")).map((line) => JSON.parse(line));
    expect(parsed.filter((line) => line.message === "request failed: dependency unavailable")).toMatchObject([
      { level: "error", function: "matching", status: 503, error: { dependency: "database" } },
    ]);
    expect(parsed.filter((line) => line.message === "request failed: defect")).toMatchObject([
      { level: "error", function: "matching", status: 500, error: { name: "TypeError", at: expect.any(String) } },
    ]);
  });
});
