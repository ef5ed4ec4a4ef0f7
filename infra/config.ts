/**
 * The stack's configuration, read once and validated: every problem names the key (`rendezvous:<key>`) and says
 * what was expected. Components never read config; they receive these plain values.
 */
import { isScheduleExpression } from "../apps/manifest.ts";

export const NAMESPACE = "rendezvous";

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
  readonly dbInstanceClass: string;
  readonly dbAllocatedStorageGb: number;
  readonly dbMultiAz: boolean;
  readonly dbBackupRetentionDays: number;
  /** RDS and DynamoDB deletion protection, and `retainOnDelete` on the data resources. */
  readonly deletionProtection: boolean;
  readonly pointInTimeRecovery: boolean;
  readonly dynamoBilling: "on-demand" | "provisioned";
  readonly dynamoCapacity: DynamoCapacity;
  /** NAT gateways for in-VPC functions that call the internet (docs/decisions/0001). */
  readonly natGateways: 1 | 2;
  readonly alarmEmail: string;
  /** Function name -> schedule expression, overriding the manifest's. */
  readonly schedules: Readonly<Record<string, string>>;
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

type Raw = Readonly<Record<string, string | undefined>>;

const DEFAULT_CAPACITY: DynamoCapacity = {
  minRead: 5,
  maxRead: 100,
  minWrite: 5,
  maxWrite: 100,
  targetUtilization: 70,
};

const isHttpUrl = (value: string, https: boolean): boolean => {
  try {
    const url = new URL(value);
    const local = url.hostname === "localhost" || url.hostname === "127.0.0.1";
    return url.protocol === "https:" || (!https && url.protocol === "http:") || (url.protocol === "http:" && local);
  } catch {
    return false;
  }
};

const isOrigin = (value: unknown): boolean =>
  value === "*" || (typeof value === "string" && isHttpUrl(value, true) && new URL(value).origin === value);

/**
 * Parses the raw stack config (`rendezvous:<key>` -> string, as Pulumi stores it; objects and arrays as JSON).
 * Throws StackConfigError naming every bad key.
 */
export const parseStackConfig = (stage: string, raw: Raw): StackConfig => {
  const problems: string[] = [];
  const known = new Set<string>();
  const get = (key: string): string | undefined => {
    known.add(key);
    return raw[`${NAMESPACE}:${key}`];
  };
  const fail = (key: string, expected: string, value: unknown): void => {
    problems.push(`${NAMESPACE}:${key}: expected ${expected}, got ${JSON.stringify(value)}`);
  };
  const integer = (key: string, fallback: number | undefined, min: number, max: number): number => {
    const value = get(key);
    if (value === undefined) {
      if (fallback === undefined) problems.push(`${NAMESPACE}:${key}: required, expected an integer ${min}..${max}`);
      return fallback ?? min;
    }
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) fail(key, `an integer ${min}..${max}`, value);
    return n;
  };
  const boolean = (key: string, fallback: boolean): boolean => {
    const value = get(key);
    if (value === undefined) return fallback;
    if (value !== "true" && value !== "false") fail(key, "true or false", value);
    return value === "true";
  };
  const json = (key: string, check: (value: unknown) => boolean, expected: string): string | undefined => {
    const value = get(key);
    if (value === undefined) return undefined;
    try {
      const parsed: unknown = JSON.parse(value);
      if (check(parsed)) return JSON.stringify(parsed);
    } catch {
      // reported below, like a value of the wrong shape
    }
    fail(key, expected, value);
    return undefined;
  };
  const text = (key: string, check: (value: string) => boolean, expected: string): string | undefined => {
    const value = get(key);
    if (value !== undefined && !check(value)) fail(key, expected, value);
    return value;
  };
  const isObject = (value: unknown): value is Record<string, unknown> =>
    typeof value === "object" && value !== null && !Array.isArray(value);

  const lambdaRuntime = text("lambdaRuntime", (v) => /^nodejs(2[2-9]|[3-9]\d)\.x$/.test(v), "nodejs22.x or newer");
  const lambdaMemoryMb = integer("lambdaMemoryMb", 512, 128, 10240);
  const logRetentionDays = integer("logRetentionDays", undefined, 1, 3653);
  if (!RETENTION_DAYS.includes(logRetentionDays)) {
    fail("logRetentionDays", `one of CloudWatch's periods (${RETENTION_DAYS.join(", ")})`, get("logRetentionDays"));
  }
  const dbInstanceClass = text("dbInstanceClass", (v) => /^db\.[a-z0-9]+\.[a-z0-9]+$/.test(v), "an RDS class");
  const dbAllocatedStorageGb = integer("dbAllocatedStorageGb", 20, 20, 65536);
  const dbMultiAz = boolean("dbMultiAz", false);
  const dbBackupRetentionDays = integer("dbBackupRetentionDays", 7, 1, 35);
  const deletionProtection = boolean("deletionProtection", true);
  const pointInTimeRecovery = boolean("pointInTimeRecovery", true);
  const billing = text("dynamoBilling", (v) => v === "on-demand" || v === "provisioned", "on-demand or provisioned");
  const natGateways = integer("natGateways", 1, 1, 2) as 1 | 2;
  const alarmEmail = text("alarmEmail", (v) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v), "an e-mail address");
  if (alarmEmail === undefined) problems.push(`${NAMESPACE}:alarmEmail: required, expected an e-mail address`);

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

  const schedules: Record<string, string> = {};
  const scheduleJson = json(
    "schedules",
    (v) => isObject(v) && Object.values(v).every((e) => typeof e === "string" && isScheduleExpression(e)),
    'an object of function name -> "rate(...)" or "cron(6 fields)"',
  );
  if (scheduleJson) Object.assign(schedules, JSON.parse(scheduleJson));

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

  for (const key of Object.keys(raw)) {
    const [namespace, name] = key.split(":");
    if (namespace === NAMESPACE && name !== undefined && !known.has(name)) {
      problems.push(`${key}: unknown key (known: ${[...known].sort().join(", ")})`);
    }
  }
  if (lambdaRuntime === undefined) problems.push(`${NAMESPACE}:lambdaRuntime: required, expected nodejs22.x or newer`);
  if (dbInstanceClass === undefined) problems.push(`${NAMESPACE}:dbInstanceClass: required, expected an RDS class`);
  if (billing === undefined) problems.push(`${NAMESPACE}:dynamoBilling: required, expected on-demand or provisioned`);
  if (problems.length > 0) throw new StackConfigError(problems);

  return {
    stage,
    lambdaRuntime: lambdaRuntime ?? "",
    lambdaMemoryMb,
    logRetentionDays,
    dbInstanceClass: dbInstanceClass ?? "",
    dbAllocatedStorageGb,
    dbMultiAz,
    dbBackupRetentionDays,
    deletionProtection,
    pointInTimeRecovery,
    dynamoBilling: billing as "on-demand" | "provisioned",
    dynamoCapacity,
    natGateways,
    alarmEmail: alarmEmail ?? "",
    schedules,
    settings,
  };
};
