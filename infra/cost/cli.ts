/**
 * `npm run cost -- --stack staging|production [--region us-east-1|eu-west-1]`: builds the stack under Pulumi's
 * mocks (no CLI, no AWS) from its stack file and the manifest, and prints what it costs: one line per billable
 * resource, the fixed monthly total, and each function's cost per million invocations. The region defaults to
 * the stack file's `aws:region`. Exits 1 on a resource type the price table does not know.
 */
import { parseArgs } from "node:util";
import { functions } from "../../apps/manifest.ts";
import { runStack, stackConfig } from "../testing.ts";
import { estimate } from "./estimate.ts";
import { PRICES, PRICES_TAKEN, type Region } from "./prices.ts";
import { formatEstimate } from "./report.ts";

const { values } = parseArgs({ options: { stack: { type: "string" }, region: { type: "string" } } });
const stack = values.stack;
if (stack !== "staging" && stack !== "production") {
  console.error("usage: npm run cost -- --stack staging|production [--region us-east-1|eu-west-1]");
  process.exit(2);
}
const region = (values.region ?? stackConfig(stack)["aws:region"]) as Region;
if (!(region in PRICES)) {
  console.error(`no prices for region ${region} (known: ${Object.keys(PRICES).join(", ")})`);
  process.exit(2);
}
try {
  const run = await runStack(stack, functions);
  console.log(formatEstimate(stack, estimate(run.resources, region, `rendezvous-${stack}`), PRICES_TAKEN));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
