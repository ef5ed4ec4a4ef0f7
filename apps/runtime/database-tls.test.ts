import { execFile, execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../adapters/local-engines/ports.ts";
import { startPostgres } from "../../adapters/local-engines/postgres.ts";
import { openDatabase, type VerifiedTls } from "../../adapters/postgres/client.ts";

/**
 * The TLS the functions use against RDS, on a local engine serving a certificate for `localhost` issued by a CA
 * made for this file: the client trusts the server only with that CA and only under the name in its certificate.
 */
const PROJECT_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "rendezvous-tls-"));
chmodSync(dir, 0o755); // as root, PostgreSQL runs as the postgres user and must reach its data dir
const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
const makeCa = (name: string) => {
  openssl("req", "-x509", ...ec, "-keyout", `${name}.key`, "-out", `${name}.crt`, "-days", "2", "-subj", `/CN=${name}`);
  return readFileSync(join(dir, `${name}.crt`), "utf8");
};
const ca = makeCa("rendezvous-test-ca");
const otherCa = makeCa("some-other-ca");
openssl("req", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
writeFileSync(join(dir, "server.ext"), "subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n");
openssl(
  "x509",
  ...["-req", "-in", "server.csr", "-CA", "rendezvous-test-ca.crt", "-CAkey", "rendezvous-test-ca.key"],
  ...["-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "server.ext"],
);

const port = await freePort();
const server = await startPostgres({
  dataDir: join(dir, "pg"),
  port,
  ephemeral: true,
  reuseInitdb: true,
  tls: {
    certificate: readFileSync(join(dir, "server.crt"), "utf8"),
    key: readFileSync(join(dir, "server.key"), "utf8"),
  },
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Whether this connection is encrypted, asked of the server; a refused handshake rejects instead. */
const encrypted = async (host: string, tls: VerifiedTls) => {
  const handle = openDatabase({ url: `postgres://postgres@${host}:${port}/postgres`, max: 1, tls });
  try {
    const [row] = await handle.sql<{ ssl: boolean }[]>`select ssl from pg_stat_ssl where pid = pg_backend_pid()`;
    return row?.ssl;
  } finally {
    await handle.close();
  }
};

describe("verified TLS to Postgres", () => {
  it("connects, encrypted, when the server's certificate chains to the trusted CA and names the host", async () => {
    await expect(encrypted("localhost", { ca })).resolves.toBe(true);
  });

  it("refuses a server whose CA it does not trust (Node's roots alone, or another CA)", async () => {
    await expect(encrypted("localhost", {})).rejects.toThrow(/self-signed|unable to (get|verify)/i);
    await expect(encrypted("localhost", { ca: otherCa })).rejects.toThrow(/self-signed|unable to (get|verify)/i);
  });

  it("refuses a certificate that does not name the host connected to", async () => {
    await expect(encrypted("127.0.0.1", { ca })).rejects.toThrow(/IP: 127\.0\.0\.1 is not in the cert's list/);
  });

  it("trusts the CA from NODE_EXTRA_CA_CERTS, as Lambda loads the RDS CAs, with the functions' AWS wiring", async () => {
    const admin = postgres(server.url, { max: 1, onnotice: () => {} });
    await admin`do $$ begin create role rendezvous_scheduling login; exception when duplicate_object then null; end $$`;
    await admin.end();
    // The functions' own code path (apps/runtime/database.ts in AWS mode) in a fresh process: the extra CA file
    // is read at process start, as in Lambda. The test server trusts the role, so the signed token is not checked.
    const probe = join(dir, "probe.mts");
    writeFileSync(
      probe,
      `import { openDatabase } from ${JSON.stringify(join(PROJECT_ROOT, "adapters/postgres/client.ts"))};
import { databaseConnectionFromEnv } from ${JSON.stringify(join(PROJECT_ROOT, "apps/runtime/database.ts"))};
const handle = openDatabase({ ...databaseConnectionFromEnv("scheduling"), max: 1 });
const [row] = await handle.sql\`select current_user as who, (select ssl from pg_stat_ssl where pid = pg_backend_pid()) as ssl\`;
await handle.close();
process.stdout.write(JSON.stringify(row));
`,
    );
    const env = {
      PATH: process.env.PATH ?? "",
      DATABASE_HOST: "localhost",
      DATABASE_PORT: String(port),
      DATABASE_NAME: "postgres",
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
      AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    };
    const run = (extra: Record<string, string>) =>
      promisify(execFile)(process.execPath, ["--import", "tsx", probe], {
        cwd: PROJECT_ROOT,
        env: { ...env, ...extra },
      });
    const { stdout } = await run({ NODE_EXTRA_CA_CERTS: join(dir, "rendezvous-test-ca.crt") });
    expect(JSON.parse(stdout)).toEqual({ who: "rendezvous_scheduling", ssl: true });
  });
});
