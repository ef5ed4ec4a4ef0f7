import { mkdirSync } from "node:fs";
import { join } from "node:path";
import sparticuz from "@sparticuz/chromium";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";
import { PROJECT_ROOT } from "../runtime.ts";

/**
 * The console's browser for the end-to-end tests: the headless Chromium that `@sparticuz/chromium` ships in its
 * npm package (unpacked to /tmp on first use), driven by playwright-core; nothing is downloaded. Screenshots go
 * to `.screenshots/console/` (git-ignored).
 */
export const SCREENSHOTS = join(PROJECT_ROOT, ".screenshots", "console");

export const launchBrowser = async (): Promise<Browser> =>
  chromium.launch({
    executablePath: await sparticuz.executablePath(),
    args: [
      ...sparticuz.args,
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
    headless: true,
  });

/** The whole page, as `<name>.png` (docs/console.png is "4-matched", quantized with pngquant). */
export const screenshot = async (page: Page, name: string): Promise<string> => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
};

/**
 * Repeats `step` (if any) until `check` holds: for what the page shows after asynchronous work (a schedule, the
 * queue, the receiver), never a fixed sleep. Fails naming what it waited for.
 */
export const until = async (
  what: string,
  check: () => Promise<boolean>,
  step?: () => Promise<unknown>,
  timeoutMs = 20_000,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await step?.();
    await new Promise((resolve) => setTimeout(resolve, step ? 400 : 100));
  }
};

/** Waits until the locator matches an element: the page shows it. */
export const shows = (locator: Locator, timeout = 20_000): Promise<void> =>
  locator.first().waitFor({ state: "visible", timeout });

/** The console's request form, filled and sent as a person would; resolves to the response it shows. */
export const sendRequest = async (
  page: Page,
  request: { function: string; method: string; path: string; body?: unknown; user?: string },
): Promise<string> => {
  await page.locator("#request-function").selectOption(request.function);
  await page.locator("#request-method").selectOption(request.method);
  await page.getByLabel("Path").fill(request.path);
  await page.getByLabel("JSON body").fill(request.body === undefined ? "" : JSON.stringify(request.body));
  await page.getByLabel("Signed in as").fill(request.user ?? "");
  await page.getByRole("button", { name: "Send", exact: true }).click();
  const response = page.locator("#request-response");
  await shows(response.filter({ hasText: /^(\d{3} \(\d+ ms\)|failed: )/ }));
  return (await response.textContent()) ?? "";
};
