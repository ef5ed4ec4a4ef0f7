/**
 * The stack's configuration, read once and validated: every problem names the key (`rendezvous:<key>`) and says
 * what was expected. Components never read config; they receive these plain values.
 */
import { LOG_LEVELS, type LogLevel } from "../apps/telemetry.ts";
import { ALARM_THRESHOLDS_EXPECTED, isAlarmThresholdsConfig, readAlarmThresholds } from "./alarm-thresholds-config.ts";
import type { AlarmThresholds } from "./components/business-alarms.ts";
import { configReader, isHttpUrl, isObject, isOrigin, type Raw } from "./config-reader.ts";
import { DATABASE_CLASSES } from "./connection-budget.ts";
import { isSchedulesConfig, readSchedules } from "./schedules-config.ts";

export const NAMESPACE = "rendezvous";

const LTS_RUNTIME = "an LTS Node runtime, nodejs22.x or newer (even majors: nodejs22.x, nodejs24.x, ...)";

/** CloudWatch Logs accepts only these retention periods. */
const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922];

export interface DynamoCapacity {
  readonly minRead: number;
  readonly maxRead: number;
  readonly minWrite: number;
  readonly maxWrite: number;
  /** Target consumed/provisioned percentage for auto scaling. */
  readonly targetUtilization: number;
}

export interface StackConfig {
  readonly stage: string;
  readonly lambdaRuntime: string;
  readonly lambdaMemoryMb: number;
  readonly logRetentionDays: number;
  /** What the functions log (`LOG_LEVEL`); `debug` also lets Lambda pass DEBUG lines. @default info */
  readonly logLevel: LogLevel;
  readonly dbInstanceClass: string;
  readonly dbAllocatedStorageGb: number;
  readonly dbMultiAz: boolean;
  readonly dbBackupRetentionDays: number;
  /** RDS and DynamoDB deletion protection, and `retainOnDelete` on the data resources. */
  readonly deletionProtection: boolean;
  readonly pointInTimeRecovery: boolean;
  readonly dynamoBilling: "on-demand" | "provisioned";
  readonly dynamoCapacity: DynamoCapacity;
  /** Function name -> reserved concurrency, overriding the manifest's (docs/decisions/0007: the connection budget). */
  readonly reservedConcurrency: Readonly<Record<string, number>>;
  readonly alarmEmail: string;
  readonly alarmThresholds: AlarmThresholds;
  /** Function name -> schedule expression, overriding the manifest's. */
  readonly schedules: Readonly<Record<string, string>>;
  /** Functions whose schedule exists but is DISABLED (`{"matcher": {"paused": true}}`). */
  readonly pausedSchedules: readonly string[];
  /** Setting values as the functions receive them (environment strings), only for the settings configured. */
  readonly settings: Readonly<Partial<Record<SettingKey, string>>>;
}

/** The manifest settings a stack can configure (apps/manifest.ts SETTINGS). */
export type SettingKey =
  | "corsOrigins"
  | "oidcProviders"
  | "sessionPolicy"
  | "sendTime"
  | "latePolicy"
  | "leapDayPolicy"
  | "webhookUrl"
  | "matchingPolicy";

/** Thrown for every invalid stack; the message lists each bad key. */
export class StackConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid stack configuration:\n  ${problems.join("\n  ")}`);
    this.name = "StackConfigError";
  }
}

const DEFAULT_CAPACITY: DynamoCapacity = {
  minRead: 5,
  maxRead: 100,
  minWrite: 5,
  maxWrite: 100,
  targetUtilization: 70,
};

/**
 * Parses the raw stack config (`rendezvous:<key>` -> string, as Pulumi stores it; objects and arrays as JSON).
 * Throws StackConfigError naming every bad key.
 */
export const parseStackConfig = (stage: string, raw: Raw): StackConfig => {
  const { problems, get, fail, integer, boolean, json, text, required, unknownKeys } = configReader(NAMESPACE, raw);
  const lambdaRuntime = required(
    "lambdaRuntime",
    // Even majors are Node's LTS lines; nodejs22.x is the oldest one Lambda still supports (20.x ended 2026-04).
    text("lambdaRuntime", (v) => /^nodejs(2[2468]|[3-9][02468])\.x$/.test(v), LTS_RUNTIME),
    LTS_RUNTIME,
  );
  const lambdaMemoryMb = integer("lambdaMemoryMb", 512, 128, 10240);
  const logRetentionDays = integer("logRetentionDays", undefined, 1, 3653);
  if (Number.isInteger(logRetentionDays) && !RETENTION_DAYS.includes(logRetentionDays)) {
    fail("logRetentionDays", `one of CloudWatch's periods (${RETENTION_DAYS.join(", ")})`, get("logRetentionDays"));
  }
  const levels = `one of ${LOG_LEVELS.join(", ")}`;
  const logLevel = text("logLevel", (v) => (LOG_LEVELS as readonly string[]).includes(v), levels) ?? "info";
  const classes = `one of ${Object.keys(DATABASE_CLASSES).join(", ")}`;
  const dbInstanceClass = text("dbInstanceClass", (v) => v in DATABASE_CLASSES, classes);
  const dbAllocatedStorageGb = integer("dbAllocatedStorageGb", 20, 20, 65536);
  const dbMultiAz = boolean("dbMultiAz", false);
  const dbBackupRetentionDays = integer("dbBackupRetentionDays", 7, 1, 35);
  const deletionProtection = boolean("deletionProtection", true);
  const pointInTimeRecovery = boolean("pointInTimeRecovery", true);
  const billing = text("dynamoBilling", (v) => v === "on-demand" || v === "provisioned", "on-demand or provisioned");
  const reservedJson = json(
    "reservedConcurrency",
    (v) => isObject(v) && Object.values(v).every((n) => Number.isInteger(n) && Number(n) >= 1 && Number(n) <= 1000),
    "an object of function name -> reserved concurrency 1..1000",
  );
  const reservedConcurrency: Record<string, number> = reservedJson ? JSON.parse(reservedJson) : {};
  const alarmEmail = text("alarmEmail", (v) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v), "an e-mail address");
  required("alarmEmail", alarmEmail, "an e-mail address");
  const alarmThresholds = readAlarmThresholds(
    json("alarmThresholds", isAlarmThresholdsConfig, ALARM_THRESHOLDS_EXPECTED),
  );

  let dynamoCapacity = DEFAULT_CAPACITY;
  const capacity = json(
    "dynamoCapacity",
    (v) =>
      isObject(v) &&
      Object.keys(DEFAULT_CAPACITY).every((k) => v[k] === undefined || (Number.isInteger(v[k]) && Number(v[k]) >= 1)),
    "an object of positive integers {minRead,maxRead,minWrite,maxWrite,targetUtilization}",
  );
  if (capacity) dynamoCapacity = { ...DEFAULT_CAPACITY, ...(JSON.parse(capacity) as Partial<DynamoCapacity>) };
  if (dynamoCapacity.minRead > dynamoCapacity.maxRead || dynamoCapacity.minWrite > dynamoCapacity.maxWrite) {
    fail("dynamoCapacity", "min <= max for reads and writes", capacity);
  }

  const { schedules, pausedSchedules } = readSchedules(
    json(
      "schedules",
      isSchedulesConfig,
      'an object of function name -> "rate(...)" or "cron(6 fields)", or {"expression"?, "paused"?: true|false}',
    ),
  );

  const settings: Partial<Record<SettingKey, string>> = {};
  const put = (key: SettingKey, value: string | undefined) => {
    if (value !== undefined) settings[key] = value;
  };
  put(
    "corsOrigins",
    json("corsOrigins", (v) => Array.isArray(v) && v.every(isOrigin), "a JSON array of origins"),
  );
  put(
    "oidcProviders",
    json(
      "oidcProviders",
      (v) =>
        isObject(v) &&
        Object.values(v).every(
          (p) =>
            isObject(p) &&
            typeof p.issuer === "string" &&
            typeof p.audience === "string" &&
            typeof p.jwksUrl === "string" &&
            isHttpUrl(p.jwksUrl, true),
        ),
      'an object {"<provider>": {"issuer","audience","jwksUrl"}}',
    ),
  );
  put("sessionPolicy", json("sessionPolicy", isObject, "a JSON object"));
  put("matchingPolicy", json("matchingPolicy", isObject, "a JSON object"));
  put(
    "sendTime",
    text("sendTime", (v) => /^([01]\d|2[0-3]):[0-5]\d$/.test(v), "HH:mm"),
  );
  put(
    "latePolicy",
    text("latePolicy", (v) => v === "same-local-day" || /^PT(\d+H)?(\d+M)?$/.test(v), "same-local-day or PT<n>H"),
  );
  put(
    "leapDayPolicy",
    text("leapDayPolicy", (v) => v === "feb-28" || v === "mar-1", "feb-28 or mar-1"),
  );
  put(
    "webhookUrl",
    text("webhookUrl", (v) => isHttpUrl(v, true), "an https URL"),
  );

  required("dbInstanceClass", dbInstanceClass, classes);
  required("dynamoBilling", billing, "on-demand or provisioned");
  problems.push(...unknownKeys());
  if (problems.length > 0) throw new StackConfigError(problems);

  return {
    stage,
    lambdaRuntime: lambdaRuntime ?? "",
    lambdaMemoryMb,
    logRetentionDays,
    logLevel: logLevel as LogLevel,
    dbInstanceClass: dbInstanceClass ?? "",
    dbAllocatedStorageGb,
    dbMultiAz,
    dbBackupRetentionDays,
    deletionProtection,
    pointInTimeRecovery,
    dynamoBilling: billing as "on-demand" | "provisioned",
    dynamoCapacity,
    reservedConcurrency,
    alarmEmail: alarmEmail ?? "",
    alarmThresholds,
    schedules,
    pausedSchedules,
    settings,
  };
};
