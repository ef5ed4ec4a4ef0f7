/**
 * The Pulumi entry point (Pulumi.yaml `main: infra/`). Pulumi calls the default export and publishes what it returns
 * as the stack outputs. Nothing else may be exported: Pulumi refuses an ESM entry point with both a default and
 * named exports.
 */
import { program } from "./program.ts";

export default () => program();
