/**
 * `rendezvous:alarmThresholds`: per stack, the thresholds of the business alarms (components/business-alarms.ts),
 * each key optional, the defaults for the rest.
 */
import type { AlarmThresholds } from "./components/business-alarms.ts";
import { isObject } from "./config-reader.ts";

export const DEFAULT_ALARM_THRESHOLDS: AlarmThresholds = {
  // A delivery is normally posted within a minute or two of its instant; retries add at most 7.5 minutes.
  lateDeliveryP99Ms: 15 * 60 * 1000,
  signInFailuresPer5Minutes: 50,
  oldestDeliveryAgeSeconds: 15 * 60,
};

/** What `rendezvous:alarmThresholds` is expected to be, as a config problem says it. */
export const ALARM_THRESHOLDS_EXPECTED = `an object of positive integers {${Object.keys(DEFAULT_ALARM_THRESHOLDS).join(",")}}`;

export const isAlarmThresholdsConfig = (value: unknown): boolean =>
  isObject(value) &&
  Object.entries(value).every(([key, n]) => key in DEFAULT_ALARM_THRESHOLDS && Number.isInteger(n) && Number(n) >= 1);

/** The thresholds from the validated JSON (or none configured). */
export const readAlarmThresholds = (json: string | undefined): AlarmThresholds => ({
  ...DEFAULT_ALARM_THRESHOLDS,
  ...(json ? (JSON.parse(json) as Partial<AlarmThresholds>) : {}),
});
