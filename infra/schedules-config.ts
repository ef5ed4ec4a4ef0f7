/**
 * `rendezvous:schedules`: per function, an expression overriding the manifest's, or `{expression?, paused?}` to
 * pause a schedule (EventBridge Scheduler `DISABLED`) without removing it.
 */
import { isScheduleExpression } from "../apps/manifest.ts";
import { isObject } from "./config-reader.ts";

const isScheduleEntry = (entry: unknown): boolean =>
  (typeof entry === "string" && isScheduleExpression(entry)) ||
  (isObject(entry) &&
    Object.keys(entry).every((key) => key === "expression" || key === "paused") &&
    (entry.expression === undefined ||
      (typeof entry.expression === "string" && isScheduleExpression(entry.expression))) &&
    (entry.paused === undefined || typeof entry.paused === "boolean"));

export const isSchedulesConfig = (value: unknown): boolean =>
  isObject(value) && Object.values(value).every(isScheduleEntry);

/** The expressions set and the functions paused, from the validated JSON (or nothing configured). */
export const readSchedules = (
  json: string | undefined,
): { schedules: Record<string, string>; pausedSchedules: string[] } => {
  const schedules: Record<string, string> = {};
  const pausedSchedules: string[] = [];
  for (const [name, entry] of Object.entries(json ? (JSON.parse(json) as Record<string, unknown>) : {})) {
    const { expression, paused } = (typeof entry === "string" ? { expression: entry } : entry) as {
      expression?: string;
      paused?: boolean;
    };
    if (expression !== undefined) schedules[name] = expression;
    if (paused) pausedSchedules.push(name);
  }
  return { schedules, pausedSchedules };
};
