import * as pulumi from "@pulumi/pulumi";
import type { AlarmsArgs } from "./Alarms.ts";
import { businessWidgets } from "./business-widgets.ts";

const FIVE_MINUTES = 300;

/**
 * One row per function (invocations, errors, throttles, p95 duration), then the queues and the database, then
 * the business metrics two widgets a row (business-widgets.ts).
 */
export const dashboardBody = (args: AlarmsArgs): pulumi.Output<string> => {
  const widget = (title: string, y: number, x: number, metrics: unknown[], stat = "Sum") => ({
    type: "metric",
    x,
    y,
    width: 12,
    height: 6,
    properties: { title, region: args.region, stat, period: FIVE_MINUTES, view: "timeSeries", metrics },
  });
  const widgets = args.functions.flatMap((fn, i) => [
    widget(`${fn.name}: invocations, errors, throttles`, i * 6, 0, [
      ["AWS/Lambda", "Invocations", "FunctionName", fn.functionName],
      ["AWS/Lambda", "Errors", "FunctionName", fn.functionName],
      ["AWS/Lambda", "Throttles", "FunctionName", fn.functionName],
    ]),
    widget(`${fn.name}: duration p95`, i * 6, 12, [["AWS/Lambda", "Duration", "FunctionName", fn.functionName]], "p95"),
  ]);
  const y = args.functions.length * 6;
  widgets.push(
    widget(
      "queues: messages visible",
      y,
      0,
      [args.deliveriesQueueName, ...args.deadLetterQueues.map((q) => q.name)].map((queue) => [
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        "QueueName",
        queue,
      ]),
      "Maximum",
    ),
    widget(
      "database",
      y,
      12,
      [
        ["AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", args.dbInstanceIdentifier],
        ["AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", args.dbInstanceIdentifier],
      ],
      "Average",
    ),
  );
  businessWidgets(args.stage, args.deliveriesQueueName).forEach((w, i) => {
    widgets.push(widget(w.title, y + 6 + Math.floor(i / 2) * 6, (i % 2) * 12, w.metrics, w.stat));
  });
  return pulumi.jsonStringify({ widgets });
};
