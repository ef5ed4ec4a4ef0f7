/**
 * The stack files (`Pulumi.<stack>.yaml`) read the way the Pulumi engine hands their config to the program. Free of
 * the Pulumi SDK, so bench/ can read them too.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";

/** The region and account the stack files and the tests' mocks assume. */
export const REGION = "eu-west-1";
export const ACCOUNT = "123456789012";

/** A stack file's config as the Pulumi engine hands it to a program: strings, with objects and arrays as JSON. */
export const stackConfig = (stack: string, root = new URL("..", import.meta.url)): Record<string, string> => {
  const file = parse(readFileSync(new URL(`Pulumi.${stack}.yaml`, root), "utf8")) as {
    config: Record<string, unknown>;
  };
  return Object.fromEntries(
    Object.entries(file.config).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]),
  );
};
