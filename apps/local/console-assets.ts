import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/**
 * The console's page and assets, built by the project's own esbuild from `apps/local/console/` when the runtime
 * starts (from source under tsx, and from the bundle under `npm start`, where this file keeps its source
 * location: start.mjs), in memory, beside the engines' start. Plain DOM modules, no framework, nothing fetched at
 * run time: `GET /` is the page, `GET /_console/<file>` its script and style sheet.
 */
export interface ConsoleAsset {
  readonly type: string;
  readonly content: string | Uint8Array;
}

/** By the path the control server serves it at. */
export type ConsoleAssets = ReadonlyMap<string, ConsoleAsset>;

const SOURCE = fileURLToPath(new URL("./console/", import.meta.url));

export const buildConsoleAssets = async (): Promise<ConsoleAssets> => {
  const [page, bundle] = await Promise.all([
    readFile(`${SOURCE}index.html`, "utf8"),
    build({
      entryPoints: { app: `${SOURCE}main.ts`, console: `${SOURCE}console.css` },
      bundle: true,
      format: "esm",
      platform: "browser",
      // Current Chromium and Firefox; nothing newer than what both have shipped for years.
      target: ["chrome111", "firefox111"],
      minify: true,
      write: false,
      outdir: "/_console",
      logLevel: "silent",
    }),
  ]);
  const assets = new Map<string, ConsoleAsset>([["/", { type: "text/html; charset=utf-8", content: page }]]);
  for (const file of bundle.outputFiles) {
    const type = file.path.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
    assets.set(file.path, { type, content: file.contents });
  }
  return assets;
};
