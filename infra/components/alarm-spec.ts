import type * as aws from "@pulumi/aws";

/** One alarm as data; Alarms.ts creates it on the stack's topic (missing data not breaching unless it says). */
export interface AlarmSpec {
  /** The alarm is named `<prefix>-<id>`. */
  readonly id: string;
  /** What happened, then the runbook line: see `described`. */
  readonly description: string;
  readonly settings: Omit<aws.cloudwatch.MetricAlarmArgs, "name" | "alarmDescription">;
}

/** An alarm's description: what happened, then the runbook line an operator reads first. */
export const described = (what: string, checkFirst: string): string => `${what}. Check first: ${checkFirst}.`;
