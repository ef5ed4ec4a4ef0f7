/**
 * What may never reach a log line: credentials and SQL. Applied to every string a log line carries, so a caller
 * cannot leak one by passing an error's message or a driver's text. Over-redacting is the safe side: an operator
 * loses a fragment of a message, never a customer's token.
 */
const REDACTED = "[redacted]";

/** Values this process knows are secret (the webhook signing secret, a database password): never written. */
const known = new Set<string>();
const MAX_KNOWN = 64;

/** Registers a secret so that any log text containing it shows `[redacted]` instead. Short values are ignored. */
export const registerSecret = (value: string | undefined): void => {
  if (!value || value.length < 8 || known.has(value)) return;
  known.add(value);
  // Database tokens are minted per connection: keep the newest, older ones have expired anyway.
  if (known.size > MAX_KNOWN) known.delete(known.values().next().value as string);
};

/** Keys whose values are credentials whatever they hold: the field is dropped from the line. */
export const SECRET_KEY = /token|secret|password|passwd|authorization|cookie|session_id|credential|api_?key/i;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const RULES: ReadonlyArray<readonly [RegExp, string | ((match: string) => string)]> = [
  // A driver's failed statement (drizzle's "Failed query: <sql> params: <values>") and anything after it.
  [/failed query:[\s\S]*/i, "[query redacted]"],
  // A statement quoted in a message: from its verb to the end of the text.
  [
    /\b(select\s[\s\S]*?\bfrom|insert\s+into|update\s+\S+\s+set|delete\s+from|with\s+\S+\s+as\s*\()\b[\s\S]*/i,
    "[sql redacted]",
  ],
  [/\bbearer\s+\S+/gi, `Bearer ${REDACTED}`],
  [/\bwhsec_[A-Za-z0-9+/=]+/g, REDACTED],
  // Userinfo of a connection string: postgres://user:password@host
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi, "$1***@"],
  // A JWT (an ID token), a session token `<public id>.<secret>`, any dotted pair of opaque runs.
  [/[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{16,}(\.[A-Za-z0-9_-]*)?/g, REDACTED],
  // A long opaque run (a bare secret, a signature, a base64 key), except a UUID, which is an id.
  [/[A-Za-z0-9_\-+/]{32,}={0,2}/g, (match) => (UUID.test(match) ? match : REDACTED)],
  // A SQL literal: the value a statement or a Postgres message quoted.
  [/'[^']*'/g, "'…'"],
  // A quoted value in a Postgres message (`invalid input syntax for type uuid: "x"`), unless it names an object
  // (`relation "users"`, `column "email"`, `constraint "..."`), which is what an operator needs to see.
  [
    /(\b(?:relation|column|constraint|table|index|type|role|database|schema|function|sequence|view|user)\s+)?"[^"]*"/gi,
    (match) => (/^[a-z]+\s+"/i.test(match) ? match : '"…"'),
  ],
];

/** `text` with every secret and statement removed, at most `max` characters. */
export const redactText = (text: string, max = 300): string => {
  let out = text;
  for (const secret of known) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  for (const [pattern, replacement] of RULES) {
    // Two calls, not one: String.replace's overloads take a string or a function, not their union.
    out = typeof replacement === "string" ? out.replace(pattern, replacement) : out.replace(pattern, replacement);
  }
  return out.length > max ? `${out.slice(0, max)}…` : out;
};
