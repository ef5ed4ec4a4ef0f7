import * as Context from "effect/Context";
import type { SchedulePolicy } from "./occurrence.ts";

/** The stack's scheduling settings (send time, late policy, leap-day policy), read once from config by the apps. */
export class SchedulingSettings extends Context.Service<SchedulingSettings, SchedulePolicy>()(
  "core/scheduling/SchedulingSettings",
) {}
