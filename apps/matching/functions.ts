import type { FunctionSpec } from "../manifest.ts";

/** The matching capability's functions, as apps/manifest.ts lists them. */
export const matchingFunctions: readonly FunctionSpec[] = [];
