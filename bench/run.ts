/**
 * `npm run bench` runs every benchmark; `npm run bench -- sessions matching` runs the named ones.
 * Each benchmark module exports `run()`, which measures and writes its own section of BENCHMARKS.md.
 */
const BENCHMARKS: Record<string, () => Promise<{ run: () => Promise<void> }>> = {
  bundles: () => import("./bundles.ts"),
  sessions: () => import("./sessions.ts"),
  delivery: () => import("./delivery.ts"),
  matching: () => import("./matching/index.ts"),
  scheduling: () => import("./scheduling.ts"),
  "delivery-store": () => import("./delivery-store.ts"),
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in BENCHMARKS));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(", ")}; known: ${Object.keys(BENCHMARKS).join(", ")}`);
  process.exit(2);
}
for (const name of wanted.length > 0 ? wanted : Object.keys(BENCHMARKS)) {
  console.log(`bench: ${name}`);
  const module = await BENCHMARKS[name]?.();
  await module?.run();
}
console.log("bench: results written to BENCHMARKS.md");
