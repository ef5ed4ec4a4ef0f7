/**
 * Imported first by main.ts: drops the AWS SDK's warning that its 2027 releases will need Node 22 (it prints on
 * every start under Node 20, which this project supports; vitest drops it the same way). Other warnings print.
 */
process.removeAllListeners("warning");
process.on("warning", (warning) => {
  if (warning.name !== "NodeVersionSupportWarning") process.stderr.write(`${warning.name}: ${warning.message}\n`);
});
