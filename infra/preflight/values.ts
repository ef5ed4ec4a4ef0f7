/**
 * AWS's documented allowed values and ranges for the settings the program sets: Lambda's memory, timeout, runtime,
 * architecture and environment; queues, schedules, alarms, retention, the database engine; each with the field.
 */
import { isScheduleExpression } from "../../apps/manifest.ts";
import { ALARM_WINDOW_SECONDS, SHORT_PERIOD_WINDOW_SECONDS } from "../schedule-period.ts";
import { type Check, checkFields, integer, oneOf, problem } from "./rules.ts";

// biome-ignore lint/suspicious/noExplicitAny: resource inputs are free-form JSON
type Inputs = Record<string, any>;

/** The Node.js runtimes Lambda accepts for new functions (nodejs18.x is past its deprecation). */
export const LAMBDA_NODE_RUNTIMES = ["nodejs20.x", "nodejs22.x", "nodejs24.x"] as const;
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];
/** Variables Lambda sets itself; a function configuration that sets one is refused. */
const RESERVED_VARIABLES = new Set([
  "_HANDLER",
  "_X_AMZN_TRACE_ID",
  "AWS_DEFAULT_REGION",
  "AWS_REGION",
  "AWS_EXECUTION_ENV",
  "AWS_LAMBDA_FUNCTION_NAME",
  "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
  "AWS_LAMBDA_FUNCTION_VERSION",
  "AWS_LAMBDA_INITIALIZATION_TYPE",
  "AWS_LAMBDA_LOG_GROUP_NAME",
  "AWS_LAMBDA_LOG_STREAM_NAME",
  "AWS_ACCESS_KEY",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_LAMBDA_RUNTIME_API",
  "LAMBDA_TASK_ROOT",
  "LAMBDA_RUNTIME_DIR",
]);

const each =
  (check: Check): Check =>
  (value) =>
    Array.isArray(value) ? value.map(check).find((reason) => reason !== undefined) : "expected a list";
const scheduleExpression: Check = (value) =>
  typeof value === "string" && (isScheduleExpression(value) || /^at\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\)$/.test(value))
    ? undefined
    : `${JSON.stringify(value)} is not rate(n unit), cron(6 fields) or at(yyyy-mm-ddThh:mm:ss)`;
const alarmPeriod: Check = (value) =>
  value === 10 || value === 20 || value === 30 || (typeof value === "number" && value > 0 && value % 60 === 0)
    ? undefined
    : `${value} is not 10, 20, 30 or a multiple of 60`;
const netmask: Check = (value) => {
  const bits = Number(/^\d+\.\d+\.\d+\.\d+\/(\d+)$/.exec(String(value))?.[1]);
  return bits >= 16 && bits <= 28 ? undefined : `${JSON.stringify(value)} is not a CIDR block from /16 to /28`;
};

export const VALUE_RULES: Record<string, Record<string, Check>> = {
  "aws:lambda/function:Function": {
    runtime: oneOf(LAMBDA_NODE_RUNTIMES),
    architectures: each(oneOf(["arm64", "x86_64"])),
    memorySize: integer(128, 10240),
    timeout: integer(1, 900),
    reservedConcurrentExecutions: integer(0, 100000),
    "tracingConfig.mode": oneOf(["Active", "PassThrough"]),
    "loggingConfig.logFormat": oneOf(["JSON", "Text"]),
  },
  "aws:lambda/functionUrl:FunctionUrl": {
    authorizationType: oneOf(["NONE", "AWS_IAM"]),
    "cors.maxAge": integer(0, 86400),
  },
  "aws:lambda/eventSourceMapping:EventSourceMapping": {
    batchSize: integer(1, 10),
    "scalingConfig.maximumConcurrency": integer(2, 1000),
    functionResponseTypes: each(oneOf(["ReportBatchItemFailures"])),
  },
  "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": {
    maximumRetryAttempts: integer(0, 2),
    maximumEventAgeInSeconds: integer(60, 21600),
  },
  "aws:sqs/queue:Queue": {
    messageRetentionSeconds: integer(60, 1209600),
    visibilityTimeoutSeconds: integer(0, 43200),
    delaySeconds: integer(0, 900),
    receiveWaitTimeSeconds: integer(0, 20),
    maxMessageSize: integer(1024, 1048576),
  },
  "aws:cloudwatch/logGroup:LogGroup": { retentionInDays: oneOf(LOG_RETENTION_DAYS) },
  "aws:scheduler/schedule:Schedule": {
    scheduleExpression,
    "flexibleTimeWindow.mode": oneOf(["OFF", "FLEXIBLE"]),
    "retryPolicy.maximumEventAgeInSeconds": integer(60, 86400),
    "retryPolicy.maximumRetryAttempts": integer(0, 185),
    state: oneOf(["ENABLED", "DISABLED"]),
  },
  "aws:cloudwatch/metricAlarm:MetricAlarm": {
    period: alarmPeriod,
    evaluationPeriods: integer(1, 100000),
    treatMissingData: oneOf(["breaching", "notBreaching", "ignore", "missing"]),
  },
  "aws:rds/instance:Instance": {
    engine: oneOf(["postgres"]),
    // RDS takes a major version ("17", the latest minor) or an exact one ("17.4"); "17.x" or "v17" is refused.
    engineVersion: (value) => (/^\d+(\.\d+)?$/.test(String(value)) ? undefined : `${value} is not major[.minor]`),
    instanceClass: (value) => (/^db\.[a-z0-9]+\.[a-z0-9]+$/.test(String(value)) ? undefined : `${value} is no class`),
    allocatedStorage: integer(20, 65536),
    backupRetentionPeriod: integer(0, 35),
    storageType: oneOf(["gp2", "gp3", "io1", "io2", "standard"]),
  },
  "aws:rds/parameterGroup:ParameterGroup": {
    family: (value) => (/^postgres\d+$/.test(String(value)) ? undefined : `${value} is not postgres<major>`),
  },
  "aws:secretsmanager/secret:Secret": {
    recoveryWindowInDays: (value) => (value === 0 || integer(7, 30)(value) === undefined ? undefined : "0 or 7..30"),
  },
  "aws:ec2/vpc:Vpc": { cidrBlock: netmask },
  "aws:ec2/subnet:Subnet": { cidrBlock: netmask },
  "aws:ec2/vpcEndpoint:VpcEndpoint": { vpcEndpointType: oneOf(["Gateway", "Interface", "GatewayLoadBalancer"]) },
};

/** A function's environment: names Lambda accepts, none of its reserved ones, at most 4 KB in all. */
const environmentProblems = (where: string, variables: Record<string, unknown> | undefined): string[] => {
  if (!variables) return [];
  const problems: string[] = [];
  for (const name of Object.keys(variables)) {
    const field = `environment.variables.${name}`;
    if (!/^[a-zA-Z][a-zA-Z0-9_]+$/.test(name)) problems.push(problem(where, field, "not a valid variable name"));
    if (RESERVED_VARIABLES.has(name)) problems.push(problem(where, field, "reserved by Lambda"));
    if (typeof variables[name] !== "string") problems.push(problem(where, field, "not a string"));
  }
  const bytes = Buffer.byteLength(JSON.stringify(variables));
  if (bytes > 4096) problems.push(problem(where, "environment.variables", `${bytes} bytes, more than 4 KB`));
  return problems;
};

/**
 * CloudWatch evaluates an alarm over period × evaluationPeriods: at most 7 days, and 1 day when the period is under
 * an hour. A metric-math alarm's periods are its metrics'.
 */
const alarmWindowProblems = (where: string, inputs: Inputs): string[] => {
  const periods: unknown[] = inputs.metricQueries
    ? inputs.metricQueries.flatMap((q: Inputs) => (q.metric ? [q.metric.period] : []))
    : [inputs.period];
  return periods.flatMap((period) => {
    if (typeof period !== "number" || typeof inputs.evaluationPeriods !== "number") return [];
    const window = Number(period) * Number(inputs.evaluationPeriods);
    const limit = Number(period) < 3600 ? SHORT_PERIOD_WINDOW_SECONDS : ALARM_WINDOW_SECONDS;
    return window <= limit
      ? []
      : [problem(where, "evaluationPeriods", `period ${period} s × ${inputs.evaluationPeriods} exceeds ${limit} s`)];
  });
};

export const valueProblems = (where: string, type: string, inputs: Inputs): string[] => [
  ...checkFields(where, inputs, VALUE_RULES[type] ?? {}),
  ...(type === "aws:lambda/function:Function" ? environmentProblems(where, inputs.environment?.variables) : []),
  ...(type === "aws:cloudwatch/metricAlarm:MetricAlarm" ? alarmWindowProblems(where, inputs) : []),
  ...(type === "aws:sqs/queue:Queue" && inputs.redrivePolicy
    ? checkFields(
        where,
        { redrivePolicy: JSON.parse(inputs.redrivePolicy) },
        {
          "redrivePolicy.maxReceiveCount": integer(1, 1000),
        },
      )
    : []),
];
