// `npm start`: bundles the local runtime and every handler of the manifest with esbuild, then runs the bundle.
//
// Why not `tsx apps/local/main.ts`: tsx resolves every module of node_modules through its loader thread, which
// tripled the start (effect alone is hundreds of modules). esbuild bundles the project's TypeScript in well under a
// second and leaves packages external, so Node loads them natively. Code splitting keeps one copy of each shared
// module (apps/runtime/clock.ts is the one clock every handler reads), and each file keeps its source location in
// `import.meta.url`, so paths computed from it (the project root, the migrations folders) stay what they are in
// source. The bundle lives under node_modules/.cache so bare imports resolve from the project's node_modules.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("../..", import.meta.url));
// A test that spawns its own runtimes names its own bundle folder, so that a bundle being written never replaces
// the one another runtime is loading (esbuild writes files in place).
const outdir = join(root, "node_modules/.cache", process.env.RENDEZVOUS_LOCAL_BUNDLE_NAME || "rendezvous-local");
const common = {
  absWorkingDir: root,
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
};

/** `import.meta.url` as code (not inside a string literal on its line) becomes the source file's own URL. */
const sourceUrls = {
  name: "source-import-meta-url",
  setup(builder) {
    builder.onLoad({ filter: /\.ts$/ }, (args) => {
      if (args.path.includes("/node_modules/")) return undefined;
      const text = readFileSync(args.path, "utf8");
      if (!text.includes("import.meta.url")) return undefined;
      const url = JSON.stringify(pathToFileURL(args.path).href);
      const outsideStrings = (before) =>
        [/"/g, /'/g, /`/g].every((quote) => (before.match(quote) ?? []).length % 2 === 0);
      const contents = text
        .split("\n")
        .map((line) =>
          line.replace(/import\.meta\.url/g, (found, at) => (outsideStrings(line.slice(0, at)) ? url : found)),
        )
        .join("\n");
      return { contents, loader: "ts" };
    });
  },
};

const handlerEntries = async () => {
  const manifest = await build({
    ...common,
    entryPoints: [join(root, "apps/manifest.ts")],
    write: false,
    logLevel: "silent",
  });
  const source = manifest.outputFiles[0]?.text ?? "";
  const { functions } = await import(`data:text/javascript;base64,${Buffer.from(source).toString("base64")}`);
  return functions.map((fn) => fn.entry);
};

/**
 * Each file written whole under a temporary name, then renamed over the old one: another `npm start` (two test
 * files start one each) may be importing the bundle meanwhile, and must never read a half-written file.
 */
const writeAtomically = (files) => {
  for (const file of files) {
    if (existsSync(file.path) && readFileSync(file.path).equals(file.contents)) continue;
    mkdirSync(dirname(file.path), { recursive: true });
    const staging = `${file.path}.${process.pid}.tmp`;
    writeFileSync(staging, file.contents);
    renameSync(staging, file.path);
  }
};

try {
  const entries = [...new Set(["apps/local/main.ts", ...(await handlerEntries())])];
  const bundle = await build({
    ...common,
    entryPoints: entries.map((entry) => join(root, entry)),
    outbase: root,
    outdir,
    outExtension: { ".js": ".mjs" },
    splitting: true,
    keepNames: true,
    plugins: [sourceUrls],
    logLevel: "error",
    write: false,
  });
  writeAtomically(bundle.outputFiles);
} catch (error) {
  process.stderr.write(`npm start failed: bundling the functions: ${error instanceof Error ? error.message : error}\n`);
  process.exit(1);
}
// main.mjs loads each handler from the bundle instead of its TypeScript source.
process.env.RENDEZVOUS_LOCAL_BUILD = outdir;
await import(pathToFileURL(join(outdir, "apps/local/main.mjs")).href);
