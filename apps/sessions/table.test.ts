import { describe, expect, it } from "vitest";
import { SESSIONS_TABLE_LAYOUT, sessionsTableDefinition } from "../../adapters/dynamodb/sessions-table.ts";
import { functions, SESSIONS_TABLE } from "../manifest.ts";

describe("the sessions table and function as the manifest declares them", () => {
  it("uses the same key, index and TTL attribute names in the adapter and in the manifest", () => {
    expect(SESSIONS_TABLE_LAYOUT).toEqual(SESSIONS_TABLE);
    const definition = sessionsTableDefinition("t", SESSIONS_TABLE);
    expect(definition).toEqual(sessionsTableDefinition("t"));
  });

  it("gives the sessions function exactly the table actions and settings it uses", () => {
    const sessions = functions.find((fn) => fn.name === "sessions");
    expect(sessions).toMatchObject({
      entry: "apps/sessions/handler.ts",
      triggers: [{ kind: "url", auth: "NONE" }],
      needs: ["sessionsTable:read", "sessionsTable:write"],
      settings: ["oidcProviders", "sessionPolicy", "corsOrigins"],
    });
  });
});
