import { control, errorOf, type ScheduleInfo } from "./api.ts";
import { byId, h, instant, json, show, table } from "./dom.ts";

/**
 * Clock and schedules: the runtime clock (set, advance, reset through POST /_local/clock) and each schedule with
 * its expression, last and next fire, and "run now" (POST /_local/schedules/{function}/run).
 */
type ClockState = { now: string; offset_ms: number };

const showClock = (clock: ClockState): void => {
  byId("clock-now").textContent = instant(clock.now);
  byId("header-clock").textContent = instant(clock.now);
  const hours = clock.offset_ms / 3_600_000;
  byId("clock-offset").textContent =
    clock.offset_ms === 0 ? "(wall clock)" : `(${hours >= 0 ? "+" : ""}${hours.toFixed(2)} h from the wall clock)`;
};

export const refreshClock = async (): Promise<void> => {
  const answer = await control<ClockState>("GET", "/_local/clock");
  if (answer.status === 200) showClock(answer.body);
};

const moveClock = async (body: unknown, after: () => Promise<void>): Promise<void> => {
  const answer = await control<ClockState>("POST", "/_local/clock", body);
  const problem = byId("clock-error");
  if (answer.status !== 200) {
    problem.textContent = errorOf(answer.body) ?? `clock: ${answer.status}`;
    return;
  }
  problem.textContent = "";
  showClock(answer.body);
  await after();
};

export const wireClock = (after: () => Promise<void>): void => {
  const onSubmit = (formId: string, field: string) => {
    const form = byId<HTMLFormElement>(formId);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const value = String(new FormData(form).get(field) ?? "").trim();
      void moveClock({ [field]: value }, after);
    });
  };
  onSubmit("clock-set-form", "now");
  onSubmit("clock-advance-form", "advance");
  byId("clock-reset").addEventListener("click", () => void moveClock({ reset: true }, after));
};

const runNow = async (name: string, after: () => Promise<void>): Promise<void> => {
  const output = byId("schedule-result");
  output.textContent = `running ${name}…`;
  const answer = await control("POST", `/_local/schedules/${encodeURIComponent(name)}/run`, {});
  output.textContent = `${name}: ${answer.status}\n${json(answer.body)}`;
  await after();
};

export const refreshSchedules = async (after: () => Promise<void>): Promise<void> => {
  const { body } = await control<{ schedules: ScheduleInfo[] }>("GET", "/_local/schedules");
  const schedules = body.schedules;
  show(byId("schedules"), schedules, () =>
    table(
      "Schedules",
      ["function", "expression", "last fire", "next fire", ""],
      schedules.map((schedule) => [
        h("strong", {}, schedule.function),
        h("code", {}, schedule.expression),
        schedule.last_fire
          ? h(
              "span",
              {},
              instant(schedule.last_fire.scheduled_time),
              " ",
              h(
                "span",
                { class: `status status-${schedule.last_fire.outcome === "error" ? "bad" : "ok"}` },
                schedule.last_fire.outcome,
              ),
              schedule.last_fire.error ? h("span", { class: "error" }, ` ${schedule.last_fire.error}`) : null,
            )
          : "never",
        instant(schedule.next_fire),
        h(
          "button",
          {
            type: "button",
            "aria-label": `Run ${schedule.function} now`,
            onclick: () => void runNow(schedule.function, after),
          },
          "Run now",
        ),
      ]),
    ),
  );
};
