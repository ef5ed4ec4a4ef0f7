import { refreshClock, refreshSchedules, wireClock } from "./clock.ts";
import { refreshMatching, refreshScheduling } from "./data.ts";
import { byId } from "./dom.ts";
import { loadFunctions, refreshInvocations, wireRequestForm } from "./functions.ts";
import { refreshMetrics } from "./metrics.ts";
import { refreshQueues } from "./queues.ts";
import { wireSessions } from "./sessions.ts";
import { refreshWebhooks, wireReceiver } from "./webhooks.ts";

/**
 * The local console: every panel polls the control server once a second (one round at a time, never
 * overlapping), and an action refreshes at once. A panel whose data did not change is left alone, so focus and
 * open details survive the polling.
 */
const POLL_MS = 1000;

const panels: ReadonlyArray<[string, () => Promise<unknown>]> = [
  ["clock", refreshClock],
  ["schedules", () => refreshSchedules(refresh)],
  ["queues", () => refreshQueues(refresh)],
  ["webhooks", refreshWebhooks],
  ["invocations", refreshInvocations],
  ["scheduling", refreshScheduling],
  ["matching", refreshMatching],
  ["metrics", refreshMetrics],
];

let round: Promise<void> | undefined;

/** One round over every panel; a call during a round waits for it and then runs one more. */
async function refresh(): Promise<void> {
  while (round) await round;
  round = (async () => {
    const failures: string[] = [];
    await Promise.all(
      panels.map(([name, load]) =>
        load().catch((error: unknown) => {
          failures.push(`${name}: ${(error as Error).message}`);
        }),
      ),
    );
    byId("connection").textContent = failures.length ? `Some panels could not load (${failures.join("; ")}).` : "";
  })();
  try {
    await round;
  } finally {
    round = undefined;
  }
}

const poll = async (): Promise<void> => {
  await refresh();
  setTimeout(() => void poll(), POLL_MS);
};

const start = async (): Promise<void> => {
  wireRequestForm();
  wireClock(refresh);
  wireReceiver(refresh);
  wireSessions();
  byId("invocation-filter").addEventListener("change", () => void refresh());
  await loadFunctions().catch((error: unknown) => {
    byId("connection").textContent = `functions: ${(error as Error).message}`;
  });
  document.body.dataset.ready = "true";
  await poll();
};

void start();
