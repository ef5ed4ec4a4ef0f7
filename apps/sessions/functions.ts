import type { FunctionSpec } from "../manifest.ts";

/** The sessions capability's functions, as apps/manifest.ts lists them. */
export const sessionsFunctions: readonly FunctionSpec[] = [
  {
    name: "sessions",
    description: "Sign-in with an OIDC ID token, session validation, listing and revocation (API.md, sessions)",
    entry: "apps/sessions/handler.ts",
    triggers: [{ kind: "url", auth: "NONE" }],
    // GetItem/Query (validate, list, health) and PutItem/UpdateItem (create, touch, revoke); never Delete or Scan.
    needs: ["sessionsTable:read", "sessionsTable:write"],
    settings: ["oidcProviders", "sessionPolicy", "corsOrigins"],
  },
];
