/**
 * Structured logs: one JSON object per line, as CloudWatch Logs Insights reads them. Keys that could carry a
 * credential are dropped before anything is written, whatever a caller passes.
 */
const SECRET_KEY = /token|secret|password|authorization|cookie|session_id|id_token/i;

export type LogFields = Record<string, unknown>;

const redact = (fields: LogFields): LogFields =>
  Object.fromEntries(Object.entries(fields).filter(([key]) => !SECRET_KEY.test(key)));

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export const makeLogger = (
  base: LogFields,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Logger => {
  const emit = (level: string, message: string, fields: LogFields = {}) =>
    write(JSON.stringify({ level, message, time: new Date().toISOString(), ...redact(base), ...redact(fields) }));
  return {
    info: (message, fields) => emit("info", message, fields),
    warn: (message, fields) => emit("warn", message, fields),
    error: (message, fields) => emit("error", message, fields),
  };
};

/** An error's class and message for a log line, never its stack or the SQL/request it carried. */
export const describeError = (error: unknown): LogFields => {
  if (error instanceof Error) return { error_name: error.name, error_message: error.message.slice(0, 300) };
  if (typeof error === "object" && error !== null && "_tag" in error) return { error_name: String(error._tag) };
  return { error_name: typeof error };
};
