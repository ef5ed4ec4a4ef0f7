import { randomBytes } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CAPABILITIES, roleOf } from "../../adapters/postgres/roles.ts";
import { readLocalCredentials } from "../runtime/database.ts";

/**
 * The local stand-in for RDS IAM tokens: one password per capability role, generated once per data dir and kept
 * in `database-credentials.json` (0600) there. The migrator sets them on the roles at each start; the functions
 * read the file for every new connection (`LOCAL_DATABASE_CREDENTIALS`), so a password changed in the file and
 * on the role takes effect without a restart. A role added later gets its password on the next start.
 */
export const databaseCredentialsIn = async (dataDir: string): Promise<string> => {
  const file = join(dataDir, "database-credentials.json");
  const kept = existsSync(file) ? await readLocalCredentials(file) : {};
  const missing = CAPABILITIES.map(roleOf).filter((role) => !kept[role]);
  if (missing.length > 0) {
    const passwords = {
      ...kept,
      ...Object.fromEntries(missing.map((role) => [role, randomBytes(18).toString("base64url")])),
    };
    writeFileSync(file, `${JSON.stringify(passwords, null, 2)}\n`, { mode: 0o600 });
  }
  return file;
};
