import type { FunctionSpec } from "../manifest.ts";

/** The platform's own functions (the database migrator), as apps/manifest.ts lists them. */
export const platformFunctions: readonly FunctionSpec[] = [
  {
    name: "migrator",
    description: "Applies the database migrations of every context, on each deploy and on local start",
    entry: "apps/migrator/handler.ts",
    triggers: [{ kind: "deploy" }],
    needs: ["postgres:admin"],
    settings: [],
    // Migrations may rewrite tables; Lambda's synchronous invocation allows up to 15 minutes.
    timeoutSeconds: 300,
    assets: [
      { from: "adapters/postgres/scheduling/migrations", to: "postgres/scheduling/migrations" },
      { from: "adapters/postgres/matching/migrations", to: "postgres/matching/migrations" },
    ],
  },
];
