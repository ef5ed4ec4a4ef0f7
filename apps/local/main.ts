import "./quiet-warnings.ts";
import { join } from "node:path";
import { functions } from "../manifest.ts";
import { parseCli, readyTable, USAGE } from "./cli.ts";
import { startLocalRuntime } from "./runtime.ts";

/**
 * `npm start`: the whole platform on localhost. Ctrl-C (SIGINT) or SIGTERM stops every engine and server and keeps
 * the data; a second signal exits at once.
 */
const main = async (): Promise<void> => {
  const cli = parseCli(process.argv.slice(2), process.env);
  if (cli.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const runtime = await startLocalRuntime({
    ports: cli.ports,
    fresh: cli.fresh,
    ...(cli.dataDir ? { dataDir: cli.dataDir } : {}),
    // Set by start.mjs (`npm start`), which bundled the handlers; run as `tsx apps/local/main.ts`, they load from source.
    ...(process.env.RENDEZVOUS_LOCAL_BUILD ? { bundleDir: process.env.RENDEZVOUS_LOCAL_BUILD } : {}),
  });
  // As root in a private folder PostgreSQL's cluster lives elsewhere (apps/local/data-dir.ts): say where.
  const postgresElsewhere = runtime.postgresDataDir !== join(runtime.dataDir, "postgres");
  const kept = postgresElsewhere ? `${runtime.dataDir} and ${runtime.postgresDataDir}` : runtime.dataDir;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    process.stdout.write(`\n${signal}: stopping (data kept in ${kept})\n`);
    runtime.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`stop failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  const rows = functions.map((fn) => ({
    name: fn.name,
    triggers: fn.triggers,
    ...(runtime.urls[fn.name] ? { url: runtime.urls[fn.name] } : {}),
  }));
  // performance.now() counts from the process's start: the figure includes Node's boot and the bundle.
  const seconds = (performance.now() / 1000).toFixed(1);
  process.stdout.write(
    `\n${readyTable(
      rows,
      [
        ["control", `${runtime.controlUrl}/_local/* (docs/api.md, "Local runtime controls")`],
        ["webhooks", runtime.outputs.webhookUrl],
        ["lambda", runtime.outputs.lambdaEndpoint],
        ["outputs", `${runtime.dataDir}/outputs.json`],
        ["data", runtime.dataDir],
        ...(postgresElsewhere ? [["postgres data", runtime.postgresDataDir] as const] : []),
      ],
      [["console", "open in a browser", `${runtime.controlUrl}/`]],
    )}\n\nready in ${seconds} s. Ctrl-C stops everything (data kept).\n\n`,
  );
};

main().catch((error: unknown) => {
  process.stderr.write(`npm start failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
