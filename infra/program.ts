/**
 * The program behind infra/index.ts: reads the stack's config from Pulumi, bundles every function of the manifest
 * and builds the stack. Its return value is the stack's outputs (API.md "Stack outputs").
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as pulumi from "@pulumi/pulumi";
import { functions } from "../apps/manifest.ts";
import { esbuildBundler } from "./bundle.ts";
import { parseStackConfig } from "./config.ts";
import { type Bundler, buildStack, type StackOutputs } from "./stack.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

/** The program; tests pass a bundler that skips esbuild. */
export const program = (bundle: Bundler = esbuildBundler(root, functions)): StackOutputs =>
  buildStack({
    config: parseStackConfig(pulumi.getStack(), pulumi.runtime.allConfig()),
    functions,
    bundle,
    entryExists: (entry) => existsSync(join(root, entry)),
  });
