import type { FunctionSpec } from "../manifest.ts";

/** The sessions capability's functions, as apps/manifest.ts lists them. */
export const sessionsFunctions: readonly FunctionSpec[] = [];
