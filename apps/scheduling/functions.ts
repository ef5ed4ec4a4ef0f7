import type { FunctionSpec } from "../manifest.ts";

/** The scheduling capability's functions, as apps/manifest.ts lists them. */
export const schedulingFunctions: readonly FunctionSpec[] = [];
