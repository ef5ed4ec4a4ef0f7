/**
 * Grants a function's role holds for the Lambda service itself, not for the function's code: nothing the code
 * calls records them, so the "nothing unused" half of the proof exempts exactly these, each with its reason.
 */
export interface PlatformGrant {
  readonly actions: readonly string[];
  /** Matches the granted resource; absent for any. */
  readonly resource?: RegExp;
  readonly reason: string;
}

export const PLATFORM_GRANTS: readonly PlatformGrant[] = [
  {
    actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
    resource: /:log-group:\/aws\/lambda\/[^:]+:\*$/,
    reason: "Lambda writes the function's logs to its log group with the role",
  },
  {
    actions: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
    reason: "active tracing: Lambda sends the invocation's segments to X-Ray with the role",
  },
  {
    actions: [
      "ec2:CreateNetworkInterface",
      "ec2:DescribeNetworkInterfaces",
      "ec2:DescribeSubnets",
      "ec2:DeleteNetworkInterface",
      "ec2:AssignPrivateIpAddresses",
      "ec2:UnassignPrivateIpAddresses",
    ],
    reason: "a function in the VPC: Lambda creates and removes its network interfaces with the role",
  },
  {
    actions: ["sqs:SendMessage"],
    resource: /-async-dlq[^:]*$/,
    reason: "Lambda sends an asynchronous invocation that failed all retries to the on-failure queue with the role",
  },
];

export const platformReason = (action: string, resource: string): string | undefined =>
  PLATFORM_GRANTS.find((g) => g.actions.includes(action) && (!g.resource || g.resource.test(resource)))?.reason;
