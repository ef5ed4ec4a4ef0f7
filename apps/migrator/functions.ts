import type { FunctionSpec } from "../manifest.ts";

/** The platform's own functions (the database migrator), as apps/manifest.ts lists them. */
export const platformFunctions: readonly FunctionSpec[] = [];
