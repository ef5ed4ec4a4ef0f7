/**
 * Bundles a manifest function with esbuild during the program run (BUNDLE_OPTIONS of apps/manifest.ts), copies
 * its assets beside the bundle and hands Pulumi the folder as the function's code.
 */
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { buildSync } from "esbuild";
import { BUNDLE_OPTIONS, type FunctionSpec } from "../apps/manifest.ts";
import type { Bundle, Bundler } from "./stack.ts";

const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });

/** A digest of every file's path and content, so the same code always gives the same digest. */
export const digestOf = (dir: string): string => {
  const hash = createHash("sha256");
  for (const file of filesUnder(dir).sort()) {
    hash.update(relative(dir, file));
    hash.update(readFileSync(file));
  }
  return hash.digest("hex");
};

/**
 * Writes `<outDir>/<function>/index.mjs` (+ assets) for every function, in one esbuild run: the functions share
 * most of their dependencies, which esbuild then parses once (about twice as fast as one run per function, and
 * byte-identical output). A missing asset folder copies nothing: a context without migrations yet has no folder,
 * and the migrator skips it.
 */
export const bundleFunctions = (fns: readonly FunctionSpec[], root: string, outDir: string): Map<string, Bundle> => {
  for (const fn of fns) {
    rmSync(join(outDir, fn.name), { recursive: true, force: true });
    mkdirSync(join(outDir, fn.name), { recursive: true });
  }
  if (fns.length > 0) {
    buildSync({
      ...BUNDLE_OPTIONS,
      mainFields: [...BUNDLE_OPTIONS.mainFields],
      entryPoints: Object.fromEntries(fns.map((fn) => [`${fn.name}/index`, join(root, fn.entry)])),
      outdir: outDir,
      outExtension: { ".js": ".mjs" },
      absWorkingDir: root,
      logLevel: "error",
    });
  }
  const bundles = new Map<string, Bundle>();
  for (const fn of fns) {
    const dir = join(outDir, fn.name);
    for (const asset of fn.assets ?? []) {
      const from = join(root, asset.from);
      if (existsSync(from)) cpSync(from, join(dir, asset.to), { recursive: true });
    }
    bundles.set(fn.name, { archive: new pulumi.asset.FileArchive(dir), hash: digestOf(dir) });
  }
  return bundles;
};

export const bundleFunction = (fn: FunctionSpec, root: string, outDir: string): Bundle => {
  const bundle = bundleFunctions([fn], root, outDir).get(fn.name);
  if (!bundle) throw new Error(`${fn.name}: not bundled`);
  return bundle;
};

/** Bundles all of `fns` on the first request (the program asks for them one by one), then hands them out. */
export const esbuildBundler = (
  root: string,
  fns: readonly FunctionSpec[],
  outDir = join(root, ".rendezvous", "build"),
): Bundler => {
  let bundles: Map<string, Bundle> | undefined;
  return (fn) => {
    bundles ??= bundleFunctions(fns, root, outDir);
    return bundles.get(fn.name) ?? bundleFunction(fn, root, outDir);
  };
};
