/**
 * AWS's documented constraints on the names, descriptions and tags the program sets (lengths and character sets),
 * one rule per field. A resource the program leaves to Pulumi's auto-naming is checked by the name it will get: its
 * logical name and an 8-character suffix (`autoName`, as the mocks answer it).
 */
import { type Check, checkFields, EC2_TEXT, problem, text } from "./rules.ts";

// biome-ignore lint/suspicious/noExplicitAny: resource inputs are free-form JSON
type Inputs = Record<string, any>;

/** IAM's name set `[\w+=,.@-]`. */
const IAM_NAME = "\\w+=,.@\\-";
const LOWER_DNS_ID = /^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$/;

/** Names by resource type, read from the mocked state (which holds the auto-name when no name input was given). */
export const NAME_RULES: Record<string, Record<string, Check>> = {
  "aws:lambda/function:Function": {
    name: text({ max: 64, chars: "a-zA-Z0-9\\-_" }),
    description: text({ min: 0, max: 256 }),
    handler: text({ max: 128, chars: "^\\s" }),
  },
  "aws:iam/role:Role": {
    name: text({ max: 64, chars: IAM_NAME }),
    description: text({ min: 0, max: 1000, chars: "\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF" }),
  },
  "aws:iam/rolePolicy:RolePolicy": { name: text({ max: 128, chars: IAM_NAME }) },
  "aws:sqs/queue:Queue": { name: text({ max: 80, chars: "a-zA-Z0-9_\\-" }) },
  "aws:dynamodb/table:Table": { name: text({ min: 3, max: 255, chars: "a-zA-Z0-9_.\\-" }) },
  "aws:cloudwatch/logGroup:LogGroup": { name: text({ max: 512, chars: ".\\-_/#A-Za-z0-9" }) },
  "aws:scheduler/schedule:Schedule": {
    name: text({ max: 64, chars: "0-9a-zA-Z\\-_." }),
    groupName: text({ max: 64, chars: "0-9a-zA-Z\\-_." }),
    description: text({ min: 0, max: 512 }),
  },
  "aws:scheduler/scheduleGroup:ScheduleGroup": { name: text({ max: 64, chars: "0-9a-zA-Z\\-_." }) },
  "aws:rds/instance:Instance": {
    identifier: text({ max: 63, pattern: LOWER_DNS_ID }),
    dbName: text({ max: 63, pattern: /^[A-Za-z][A-Za-z0-9_]*$/ }),
    username: text({ max: 63, pattern: /^(?!rdsadmin$)[A-Za-z][A-Za-z0-9_]*$/ }),
  },
  "aws:rds/parameterGroup:ParameterGroup": {
    name: text({ max: 255, pattern: LOWER_DNS_ID }),
    description: text({ max: 255 }),
  },
  "aws:rds/subnetGroup:SubnetGroup": {
    name: text({ max: 255, chars: "a-z0-9._ \\-" }),
    description: text({ max: 255 }),
  },
  "aws:sns/topic:Topic": { name: text({ max: 256, chars: "A-Za-z0-9_\\-" }) },
  "aws:cloudwatch/metricAlarm:MetricAlarm": {
    name: text({ max: 255 }),
    alarmDescription: text({ min: 0, max: 1024 }),
  },
  "aws:cloudwatch/dashboard:Dashboard": { dashboardName: text({ max: 255, chars: "A-Za-z0-9_\\-" }) },
  "aws:secretsmanager/secret:Secret": {
    name: text({ max: 512, chars: "A-Za-z0-9/_+=.@\\-" }),
    description: text({ min: 0, max: 2048 }),
  },
  "aws:ec2/securityGroup:SecurityGroup": {
    name: text({ max: 255, ...EC2_TEXT, pattern: /^(?!sg-)/ }),
    description: text({ max: 255, ...EC2_TEXT }),
  },
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": { description: text({ max: 255, ...EC2_TEXT }) },
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": { description: text({ max: 255, ...EC2_TEXT }) },
  "aws:ec2/securityGroupRule:SecurityGroupRule": { description: text({ max: 255, ...EC2_TEXT }) },
};

const TAG_CHARS = "\\p{L}\\p{Z}\\p{N}_.:/=+\\-@";
const tagKey = text({ max: 128, chars: TAG_CHARS, charsSaid: "letters, digits, spaces and _.:/=+-@" });
const tagValue = text({ min: 0, max: 256, chars: TAG_CHARS, charsSaid: "letters, digits, spaces and _.:/=+-@" });

/** Tag keys <= 128 and values <= 256 characters of AWS's tag set, no `aws:` prefix, at most 50 tags. */
export const tagProblems = (where: string, tags: unknown, field = "tags"): string[] => {
  if (tags === undefined || tags === null) return [];
  const entries = Object.entries(tags as Record<string, unknown>);
  const problems = entries.length > 50 ? [problem(where, field, `${entries.length} tags, more than 50`)] : [];
  for (const [key, value] of entries) {
    const keyReason = tagKey(key) ?? (key.toLowerCase().startsWith("aws:") ? "the aws: prefix is AWS's" : undefined);
    if (keyReason) problems.push(problem(where, `${field}.${key}`, `key ${keyReason}`));
    const valueReason = tagValue(value);
    if (valueReason) problems.push(problem(where, `${field}.${key}`, `value ${valueReason}`));
  }
  return problems;
};

/** EC2 rule descriptions inline in a security group (`ingress[i].description`, `egress[i].description`). */
const inlineRuleProblems = (where: string, inputs: Inputs): string[] =>
  (["ingress", "egress"] as const).flatMap((side) =>
    ((inputs[side] ?? []) as Inputs[]).flatMap((rule, index) =>
      checkFields(where, rule, { description: text({ min: 0, max: 255, ...EC2_TEXT }) }).map((p) =>
        p.replace(": description:", `: ${side}[${index}].description:`),
      ),
    ),
  );

export const nameProblems = (where: string, type: string, state: Inputs): string[] => [
  ...checkFields(where, state, NAME_RULES[type] ?? {}),
  ...(type === "aws:ec2/securityGroup:SecurityGroup" ? inlineRuleProblems(where, state) : []),
  ...tagProblems(where, state.tags),
];
