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
 * Writes `<outDir>/<function>/index.mjs` (+ assets). A missing asset folder copies nothing: a context without
 * migrations yet has no folder, and the migrator skips it.
 */
export const bundleFunction = (fn: FunctionSpec, root: string, outDir: string): Bundle => {
  const dir = join(outDir, fn.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  buildSync({
    ...BUNDLE_OPTIONS,
    mainFields: [...BUNDLE_OPTIONS.mainFields],
    entryPoints: [join(root, fn.entry)],
    outfile: join(dir, "index.mjs"),
    absWorkingDir: root,
    logLevel: "error",
  });
  for (const asset of fn.assets ?? []) {
    const from = join(root, asset.from);
    if (existsSync(from)) cpSync(from, join(dir, asset.to), { recursive: true });
  }
  return { archive: new pulumi.asset.FileArchive(dir), hash: digestOf(dir) };
};

export const esbuildBundler =
  (root: string, outDir = join(root, ".rendezvous", "build")): Bundler =>
  (fn) =>
    bundleFunction(fn, root, outDir);
