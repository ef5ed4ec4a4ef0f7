import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { BUNDLE_OPTIONS, functions } from "../apps/manifest.ts";
import { bundleFunction, bundleFunctions, digestOf } from "./bundle.ts";
import { lambdaEnvironment } from "./lambda-environment.ts";
import type { Bundle } from "./stack.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

/**
 * Loads `index.mjs` as Lambda does, in a process of its own with only the function's environment, and reports
 * what `handler` is. A handler checks its environment at import: a variable infra does not write fails here.
 */
const loadHandler = (dir: string, env: Record<string, string>) =>
  new Promise<{ status: number | null; handler: string; stderr: string }>((resolve) => {
    const url = pathToFileURL(join(dir, "index.mjs")).href;
    const script = `const m = await import(${JSON.stringify(url)}); console.log(typeof m.handler); process.exit(0);`;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { env, timeout: 30_000 });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("close", (status) => resolve({ status, handler: stdout.trim(), stderr }));
  });

describe("bundling every function of the manifest with esbuild", () => {
  const out = mkdtempSync(join(tmpdir(), "bundle-"));
  let bundles: Map<string, Bundle>;
  const loaded = new Map<string, Awaited<ReturnType<typeof loadHandler>>>();
  beforeAll(async () => {
    bundles = bundleFunctions(functions, root, out);
    // Side by side: each load is a fresh Node process, mostly waiting on its own module graph.
    await Promise.all(
      functions.map(async (fn) => loaded.set(fn.name, await loadHandler(join(out, fn.name), lambdaEnvironment(fn)))),
    );
  }, 180_000);

  it.each(functions.map((fn) => [fn.name, fn] as const))(
    "%s: one ESM index.mjs with its assets, whose handler loads with the environment infra gives it",
    (name, fn) => {
      const dir = join(out, name);
      const code = readFileSync(join(dir, "index.mjs"), "utf8");
      expect(code.startsWith(BUNDLE_OPTIONS.banner.js)).toBe(true);
      expect(code).not.toMatch(/from\s*["']\.\.?\//); // everything is inlined, nothing relative left to resolve
      for (const asset of fn.assets ?? []) {
        if (existsSync(join(root, asset.from))) expect(statSync(join(dir, asset.to)).isDirectory()).toBe(true);
      }
      expect(bundles.get(name)?.hash).toBe(digestOf(dir));
      const load = loaded.get(name);
      expect(load, load?.stderr).toMatchObject({ status: 0, handler: "function" });
    },
  );

  it("gives the same digest for the same code, bundled alone or with the others", () => {
    const smallest = [...functions].sort(
      (a, b) => statSync(join(out, a.name, "index.mjs")).size - statSync(join(out, b.name, "index.mjs")).size,
    )[0];
    if (!smallest) throw new Error("the manifest has no function");
    const again = bundleFunction(smallest, root, mkdtempSync(join(tmpdir(), "bundle-again-")));
    expect(again.hash).toBe(bundles.get(smallest.name)?.hash);
  });

  it("copies assets beside the bundle, skips missing ones, and the digest covers them", () => {
    const spec = {
      name: "with-assets",
      description: "",
      entry: "apps/manifest.ts",
      triggers: [{ kind: "deploy" as const }],
      needs: [],
      settings: [],
      assets: [
        { from: "apps/http/aws-events", to: "samples/events" },
        { from: "adapters/postgres/nowhere/migrations", to: "postgres/nowhere/migrations" },
      ],
    };
    const bundle = bundleFunction(spec, root, out);
    expect(existsSync(join(out, "with-assets", "samples", "events", "sqs-batch.json"))).toBe(true);
    expect(existsSync(join(out, "with-assets", "postgres"))).toBe(false);
    expect(bundle.hash).toBe(digestOf(join(out, "with-assets")));
    const without = bundleFunction({ ...spec, name: "no-assets", assets: [] }, root, out);
    expect(without.hash).not.toBe(bundle.hash);
  });
});
