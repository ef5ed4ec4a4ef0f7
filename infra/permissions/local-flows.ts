/**
 * Every function driven once through its real paths on the local runtime (`npm start` in a child process, talked
 * to over HTTP only, as infra/ may not import the apps), with `RENDEZVOUS_AWS_CALLS_FILE` set: the calls each
 * function made are then in that file. The webhook URL points at a receiver here that answers 503 (a retry: the
 * dispatcher hides the message for its backoff) and refuses one user's delivery for good (400: marked failed).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RecordedCall } from "./proof.ts";

const json = async (url: string, method: string, body?: unknown, bearer?: string) => {
  const response = await fetch(url, {
    method,
    headers: {
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (response.status >= 400) throw new Error(`${method} ${url}: ${response.status} ${text}`);
  // biome-ignore lint/suspicious/noExplicitAny: answers are read by field below
  return (text ? JSON.parse(text) : undefined) as any;
};

const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
};

/** A webhook receiver: 400 for the user named `Refused`, 503 (try again later) for everyone else. */
const startFailingReceiver = async (): Promise<{ server: Server; url: string }> => {
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => response.writeHead(body.includes("Refused") ? 400 : 503).end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks` };
};

const recorded = (file: string): RecordedCall[] =>
  existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as RecordedCall[]) : [];

export const recordLocalFlows = async (): Promise<{ calls: RecordedCall[]; log: string }> => {
  const dataDir = mkdtempSync(join(tmpdir(), "iam-proof-"));
  // Beside the data dir, not in it: npm start owns (and opens to PostgreSQL's user) the folder it is given.
  const callsFile = `${dataDir}-aws-calls.json`;
  const receiver = await startFailingReceiver();
  // Slot 60 of the blocks of 80 the other spawned runtimes use (infra/ops/smoke-local.test.ts).
  const portBase = 20_000 + Math.floor(Math.random() * 150) * 80 + 60;
  let log = "";
  const child: ChildProcess = spawn(
    process.execPath,
    ["apps/local/start.mjs", "--fresh", "--data-dir", dataDir, "--port-base", String(portBase)],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, RENDEZVOUS_AWS_CALLS_FILE: callsFile, WEBHOOK_URL: receiver.url },
    },
  );
  child.stdout?.on("data", (chunk) => {
    log += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    log += chunk;
  });
  try {
    const outputsFile = join(dataDir, "outputs.json");
    await until(
      "npm start",
      async () => (existsSync(outputsFile) && log.includes("ready in")) || child.exitCode !== null,
      90_000,
    );
    if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode}:\n${log.slice(-2000)}`);
    const outputs = JSON.parse(readFileSync(outputsFile, "utf8")) as {
      controlUrl: string;
      urls: Record<string, string>;
    };
    const control = outputs.controlUrl;
    const url = (name: string) => outputs.urls[name] ?? "";
    await json(`${control}/_local/clock`, "POST", { now: "2026-03-09T00:00:00Z" });

    // sessions: sign in, validate, list, revoke one, revoke all.
    const signIn = async (sub: string, device?: string) => {
      const { id_token } = await json(`${control}/_local/id-token`, "POST", { sub });
      const body = { provider: "local", id_token, ...(device ? { device } : {}) };
      return (await json(`${url("sessions")}/auth/session`, "POST", body)).session_id as string;
    };
    const phone = await signIn("proof-user", "phone");
    const laptop = await signIn("proof-user", "laptop");
    await json(`${url("sessions")}/auth/validate`, "POST", { session_id: phone });
    const { sessions } = await json(`${url("sessions")}/auth/sessions`, "GET", undefined, phone);
    const other = sessions.find((s: { current?: boolean }) => !s.current)?.id;
    await json(`${url("sessions")}/auth/sessions/${other}`, "DELETE", undefined, phone);
    await json(`${url("sessions")}/auth/sessions`, "DELETE", undefined, phone);
    void laptop;

    // matching: two users with one intention each, candidates, the matcher's schedule and its URL.
    const tennis = { activities: ["tennis"], when: ["sat-daytime"], where: "Palo Alto", must_haves: ["where"] };
    const [ana, ben] = [await signIn("proof-ana"), await signIn("proof-ben")];
    for (const token of [ana, ben]) await json(`${url("matching")}/intention`, "PUT", { chips: tennis }, token);
    // Past the touch interval: the matching function slides ana's idle expiry (UpdateItem) when she asks.
    await json(`${control}/_local/clock`, "POST", { advance: "PT10M" });
    await json(`${url("matching")}/candidates`, "POST", {}, ana);
    await json(`${control}/_local/schedules/matcher/run`, "POST", {});
    await json(`${url("matcher")}/run`, "POST", { trigger: "manual" });

    // scheduling: a user whose webhook is retried, one refused for good, one created and deleted.
    const user = (first_name: string) => ({
      first_name,
      last_name: "Proof",
      birthday: "1990-03-10",
      timezone: "Europe/London",
    });
    await json(`${url("scheduling")}/users`, "POST", user("Retried"));
    await json(`${url("scheduling")}/users`, "POST", user("Refused"));
    const gone = await json(`${url("scheduling")}/users`, "POST", user("Deleted"));
    await json(`${url("scheduling")}/users/${gone.id}`, "DELETE");
    await json(`${control}/_local/clock`, "POST", { now: "2026-03-10T09:00:30Z" });
    await json(`${control}/_local/schedules/scheduler/run`, "POST", {});
    await until("the dispatcher's retry", async () =>
      recorded(callsFile).some((c) => c.function === "dispatcher" && c.action === "ChangeMessageVisibility"),
    );
    await until("the refused delivery", async () => {
      const { deliveries } = await json(`${url("scheduling")}/deliveries?status=failed`, "GET");
      return deliveries.length > 0;
    });
    const calls = recorded(callsFile);
    return { calls, log };
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGINT");
      await exited;
    }
    receiver.server.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(callsFile, { force: true });
  }
};
