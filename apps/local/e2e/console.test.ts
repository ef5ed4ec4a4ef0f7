import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, useLocalStack } from "./client.ts";
import { launchBrowser, screenshot, sendRequest, shows, until } from "./console-browser.ts";

/**
 * The local console in a real browser (headless Chromium), driven as a person would: set the clock to a
 * birthday's 09:00, run the scheduler and watch the webhook arrive with a valid signature; make the receiver fail
 * and watch the message reach the dead-letter queue, then redrive it; put two intentions, run the matcher and see
 * the pair. One runtime and one browser for the file; each test saves a screenshot (.screenshots/console/).
 */
const stack = useLocalStack();

// A birthday weeks ahead of the wall clock, so the runtime clock never goes back before the instant its queue
// started: the scheduler's restart recovery (LOCAL_QUEUE_STARTED_AT) counts a delivery queued "before" that instant
// as lost and queues it again, which would add a second message for the same delivery.
const ahead = new Date(Date.now() + 40 * 86_400_000);
const DAY = (ahead.toISOString().slice(5, 10) === "02-29" ? new Date(ahead.getTime() + 86_400_000) : ahead)
  .toISOString()
  .slice(0, 10);
const BIRTHDAY = `1990-${DAY.slice(5)}`;
const DAY_BEFORE = new Date(Date.parse(DAY) - 86_400_000).toISOString().slice(0, 10);
let browser: Browser | undefined;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await page.goto(stack().runtime.controlUrl);
  await shows(page.locator("body[data-ready=true]"));
});
afterAll(() => browser?.close());

const setClock = async (instant: string) => {
  // By keyboard: the field, then Enter submits its form.
  await page.getByLabel("Set to").fill(instant);
  await page.getByLabel("Set to").press("Enter");
  await shows(page.locator("#clock-now", { hasText: instant.replace("T", " ").slice(0, 16) }));
};

/** A flow waits on the scheduler, the queue and the receiver; a loaded machine (npm test) needs more than 30 s. */
const FLOW = { timeout: 60_000 };

const webhooksOf = (name: string) => page.locator("#webhook-list li", { hasText: `Hey, ${name} it's your birthday` });
const queueRow = (suffix: string) =>
  page.locator("#queue-list tbody tr").filter({ has: page.getByText(`rendezvous-local-${suffix}`, { exact: true }) });
const cell = (suffix: string, column: number) => queueRow(suffix).locator(`td:nth-child(${column})`);
const receiverAnswers = async (mode: string, label: RegExp) => {
  await page.getByRole("radio", { name: label }).check();
  await page.getByRole("button", { name: "Apply" }).click();
  await shows(page.locator("#receiver-mode", { hasText: mode }));
};

describe("the local console", () => {
  it("shows a birthday webhook at 09:00 with a valid signature after the scheduler runs", FLOW, async () => {
    await setClock(`${DAY_BEFORE}T12:00:00Z`);
    const created = await sendRequest(page, {
      function: "scheduling",
      method: "POST",
      path: "/users",
      body: { first_name: "Ada", last_name: "Lovelace", birthday: BIRTHDAY, timezone: "UTC" },
    });
    expect(created).toMatch(/^201 /);
    await shows(page.locator("#scheduling-view tr", { hasText: "Ada Lovelace" }).getByText(`${DAY} 09:00:00Z`));

    await setClock(`${DAY}T09:00:00Z`);
    await page.getByRole("button", { name: "Run scheduler now" }).click();
    await shows(page.locator("#schedule-result", { hasText: /scheduler: 200/ }));
    await shows(webhooksOf("Ada Lovelace"));
    const webhook = webhooksOf("Ada Lovelace").first();
    expect(await webhook.textContent()).toMatch(/valid signature.*answered 200/);
    await webhook.locator("summary").click();
    await shows(webhook.getByText(/webhook-signature: v1,/));
    await webhook.locator("summary").click(); // closed again
    await shows(page.locator("#scheduling-view tr", { hasText: "Ada Lovelace" }).getByText("delivered 1"));

    // What it took, in the Functions panel: the dispatcher's invocation from the queue, with its log lines.
    await page.locator("#invocation-filter").selectOption("dispatcher");
    const dispatched = page.locator("#invocations li", { hasText: "dispatcher" }).filter({ hasText: "queue" });
    await shows(dispatched);
    await dispatched.first().locator("summary").click();
    await shows(dispatched.first().locator("pre", { hasText: /info\s+batch/ }));
    await page.locator("#invocation-filter").selectOption("");
    // And in the Metrics panel: the delivery counted, charted.
    await shows(page.getByRole("img", { name: /^Deliveries \(Outcome=delivered\): .*latest 1 Count$/ }));
    await screenshot(page, "1-birthday-webhook");
  });

  it(
    "dead-letters a delivery the receiver keeps refusing, then redrives it from the dead-letter queue",
    FLOW,
    async () => {
      await receiverAnswers("answering 500", /500 error/);
      const created = await sendRequest(page, {
        function: "scheduling",
        method: "POST",
        path: "/users",
        body: { first_name: "Dee", last_name: "Letter", birthday: BIRTHDAY, timezone: "Pacific/Honolulu" },
      });
      expect(created).toMatch(/^201 /);
      await setClock(`${DAY}T19:00:00Z`); // 09:00 in Honolulu (UTC-10, no daylight saving)
      await page.getByRole("button", { name: "Run scheduler now" }).click();
      await shows(webhooksOf("Dee Letter"));
      expect(await webhooksOf("Dee Letter").first().textContent()).toMatch(/valid signature.*answered 500/);

      // Each retry waits out a backoff (30 s, then 60 s, ...) on wall time: "Retry now" skips it, up to the 5th
      // receive, after which the dispatcher gives up and the queue moves the message to its dead-letter queue.
      const retry = page.getByRole("button", { name: "Retry waiting messages of rendezvous-local-deliveries now" });
      await until(
        "the message in the dead-letter queue",
        async () => (await cell("deliveries-dlq", 2).textContent()) === "1",
        async () => retry.click(),
        30_000,
      );
      expect(await webhooksOf("Dee Letter").count()).toBe(5);
      await shows(page.locator("#scheduling-view tr", { hasText: "Dee Letter" }).getByText("failed 1"));
      await shows(page.getByRole("img", { name: /^Deliveries \(Outcome=failed\): .*latest 1 Count$/ }));

      await page.getByRole("button", { name: "Peek at rendezvous-local-deliveries-dlq" }).click();
      await shows(page.locator("#queue-messages", { hasText: "delivery_id" }));
      expect(await cell("deliveries-dlq", 2).textContent()).toBe("1"); // a peek does not consume
      await screenshot(page, "2-dead-lettered");

      await receiverAnswers("answering 200", /200 OK/);
      await page.getByRole("button", { name: "Redrive rendezvous-local-deliveries-dlq to its source" }).click();
      await shows(page.locator("#queue-result", { hasText: "1 moved back to the source, 0 failed" }));
      // Back in the source queue, the dispatcher takes it and acknowledges it: its delivery is final (failed).
      await until("both queues empty", async () => {
        const counts = await Promise.all(
          [2, 3, 4].flatMap((column) => ["deliveries", "deliveries-dlq"].map((q) => cell(q, column).textContent())),
        );
        return counts.every((count) => count === "0");
      });
      expect(await webhooksOf("Dee Letter").count()).toBe(5);
      await screenshot(page, "3-redriven");
    },
  );

  it("pairs two intentions when the matcher runs and draws the batch", FLOW, async () => {
    const tennis = { activities: ["tennis"], when: ["sat-daytime"], where: "Palo Alto", must_haves: ["where"] };
    for (const user of ["ana", "ben"]) {
      const joined = await sendRequest(page, {
        function: "matching",
        method: "PUT",
        path: "/intention",
        body: { chips: tennis },
        user,
      });
      expect(joined, user).toMatch(/^201 .* as /);
    }
    await shows(page.getByRole("img", { name: /^Pool by tier: tier 0 2,/ }));
    await page.getByRole("button", { name: "Run matcher now" }).click();
    await shows(page.locator("#schedule-result", { hasText: /"pairs_created": 1/ }));
    await shows(page.locator("#matching-view tr", { hasText: "ana + ben" }));
    await shows(page.getByRole("img", { name: /^Pairs per tier: tier 0 1, tier 1 0, tier 2 0$/ }));
    await shows(page.getByRole("img", { name: /^Score histogram: .*: 1/ }));
    await screenshot(page, "4-matched");

    // ana's sessions through the sessions function: the console's own is listed, and revoking it signs it out.
    await page.getByLabel("User id").fill("ana");
    await page.getByRole("button", { name: "Show sessions" }).click();
    const own = page.locator("#sessions-view tr", { hasText: "local console (this console)" });
    await shows(own);
    await own.getByRole("button", { name: /^Revoke session/ }).click();
    await shows(page.getByText("The console's own session as ana is revoked."));
  });

  it("stays readable in a narrow window", async () => {
    await page.setViewportSize({ width: 380, height: 800 });
    const [scrollWidth, clientWidth] = (await page.evaluate(
      "[document.documentElement.scrollWidth, innerWidth]",
    )) as number[];
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth ?? 0);
    await screenshot(page, "5-narrow");
    await page.setViewportSize({ width: 1200, height: 900 });
  });

  it("refuses bad input to its control routes with a 400 naming the field", async () => {
    const control = stack().runtime.controlUrl;
    const bad = [
      ["POST", "/_local/webhooks/receiver", { mode: "teapot" }, "mode"],
      ["POST", "/_local/webhooks/receiver", { mode: "429", retry_after_seconds: -1 }, "retry_after_seconds"],
      ["POST", "/_local/request", { function: "scheduling", method: "GET", path: "health" }, "path"],
      ["POST", "/_local/request", { function: "scheduling", method: "TRACE", path: "/" }, "method"],
      ["POST", "/_local/request", { function: "dispatcher", method: "GET", path: "/" }, "function"],
      ["GET", "/_local/data/scheduling?limit=0", undefined, "limit"],
      ["GET", "/_local/invocations?limit=201", undefined, "limit"],
      ["GET", "/_local/invocations?function=nope", undefined, "function"],
      ["GET", "/_local/metrics?namespace=Rendezvous/Nope", undefined, "namespace"],
      ["POST", "/_local/queues/rendezvous-local-deliveries/redrive", undefined, "queue"],
      ["POST", "/_local/queues/rendezvous-local-deliveries-dlq/retry-now", undefined, "queue"],
    ] as const;
    for (const [method, path, body, field] of bad) {
      const answer = await call(control, method, path, body === undefined ? {} : { body });
      expect(answer.status, path).toBe(400);
      expect((answer.body as { error: { message: string } }).error.message, path).toMatch(new RegExp(`^${field}: `));
    }
    expect((await call(control, "GET", "/_local/queues/nope/messages")).status).toBe(404);
  });
});
