/**
 * Imported first by main.ts: drops the AWS SDK's warning that its 2027 releases will need Node 22 (it prints on
 * every start under Node 20, which this project supports; vitest drops it the same way). Other warnings print.
 */
process.removeAllListeners("warning");
// The SDK emits it as a plain "Warning" whose message starts with the name (so `--disable-warning` misses it too).
const isNodeVersionNotice = (warning: Error) =>
  warning.name === "NodeVersionSupportWarning" || warning.message.startsWith("NodeVersionSupportWarning:");
process.on("warning", (warning) => {
  if (!isNodeVersionNotice(warning)) process.stderr.write(`${warning.name}: ${warning.message}\n`);
});
