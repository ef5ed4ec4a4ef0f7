/**
 * The layering rule of DESIGN.md: dependencies point inward.
 *   core     -> effect and core only (no node builtins, no SDKs, no drivers); its unit tests may also use
 *               vitest and the in-process adapters (memory, node)
 *   adapters -> core, adapters and npm packages
 *   apps     -> core, adapters, apps and npm packages
 *   infra    -> apps/manifest.ts, apps/telemetry.ts and npm packages, nothing else of the project
 * `npm run layering` fails naming the file, the import and the rule.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "core-imports-only-effect-and-core",
      comment: "core/ is the pure domain: it may import only 'effect' and other core/ modules",
      severity: "error",
      from: { path: "^core/", pathNot: "\\.test\\.ts$" },
      to: { pathNot: ["^core/", "^node_modules/effect/"] },
    },
    {
      name: "core-tests-use-only-in-process-adapters",
      comment: "core/ unit tests may add vitest and the in-process adapters (memory, node), never a real engine",
      severity: "error",
      from: { path: "^core/.*\\.test\\.ts$" },
      to: { pathNot: ["^core/", "^node_modules/effect/", "^node_modules/vitest/", "^adapters/(memory|node)/"] },
    },
    {
      name: "adapters-import-core-not-apps-or-infra",
      comment: "adapters/ implement core ports: they may not import apps/, infra/ or bench/",
      severity: "error",
      from: { path: "^adapters/" },
      to: { path: ["^apps/", "^infra/", "^bench/"] },
    },
    {
      name: "apps-do-not-import-infra",
      comment: "apps/ are deployed by infra/, never the other way round",
      severity: "error",
      from: { path: "^apps/" },
      to: { path: ["^infra/", "^bench/"] },
    },
    {
      name: "infra-imports-only-the-manifest",
      comment:
        "infra/ may import apps/manifest.ts and apps/telemetry.ts (what it deploys and what it watches), nothing else of the project",
      severity: "error",
      from: { path: "^infra/" },
      to: { path: ["^core/", "^adapters/", "^apps/", "^bench/"], pathNot: ["^apps/(manifest|telemetry)\\.ts$"] },
    },
    {
      name: "no-unresolvable-imports",
      comment: "an import that cannot be resolved is a typo or a missing dependency",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: ["\\.rendezvous/"] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
  },
};
