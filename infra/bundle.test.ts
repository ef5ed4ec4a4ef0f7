import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { BUNDLE_OPTIONS, functions } from "../apps/manifest.ts";
import { bundleFunction, digestOf } from "./bundle.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

describe("bundling a manifest function with esbuild", () => {
  it("writes an ESM index.mjs exporting handler, with the require shim, and a stable digest", async () => {
    const migrator = functions.find((fn) => fn.name === "migrator");
    if (!migrator) throw new Error("the manifest has no migrator");
    const out = mkdtempSync(join(tmpdir(), "bundle-"));
    const first = bundleFunction(migrator, root, out);
    const code = readFileSync(join(out, "migrator", "index.mjs"), "utf8");
    expect(code.startsWith(BUNDLE_OPTIONS.banner.js)).toBe(true);
    expect(code).not.toMatch(/from\s*["']\.\.?\//); // everything is inlined, nothing relative left to resolve
    const loaded = (await import(pathToFileURL(join(out, "migrator", "index.mjs")).href)) as { handler: unknown };
    expect(typeof loaded.handler).toBe("function");
    expect(bundleFunction(migrator, root, out).hash).toBe(first.hash);
  });

  it("copies assets beside the bundle, skips missing ones, and the digest covers them", () => {
    const out = mkdtempSync(join(tmpdir(), "bundle-"));
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
