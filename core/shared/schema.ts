import * as Effect from "effect/Effect";
import * as Schema from "effect/Schema";
import * as SchemaIssue from "effect/SchemaIssue";
import { type FieldIssue, ValidationFailed } from "./errors.ts";

/**
 * Shared Schema conventions: every boundary decodes with `decodeInput`, which turns Schema's issue tree into
 * `ValidationFailed` whose details name each field (`chips.where`, `embedding[3]`) and the reason.
 */

const formatter = SchemaIssue.makeFormatterStandardSchemaV1();

/** `["chips", "when", 2]` -> `chips.when[2]`; the root is `body`. */
export const fieldPath = (path: ReadonlyArray<PropertyKey>, root = "body"): string => {
  if (path.length === 0) return root;
  return path.reduce<string>((acc, key, index) => {
    if (typeof key === "number") return `${acc}[${key}]`;
    return index === 0 ? String(key) : `${acc}.${String(key)}`;
  }, "");
};

export const issuesOf = (issue: SchemaIssue.Issue, root = "body"): ReadonlyArray<FieldIssue> =>
  formatter(issue).issues.map((entry) => ({
    field: fieldPath(
      (entry.path ?? []).map((p) => (typeof p === "object" ? p.key : p)),
      root,
    ),
    reason: entry.message,
  }));

export const toValidationFailed = (issue: SchemaIssue.Issue, root = "body"): ValidationFailed => {
  // A request's extra property is a field the API does not know (config readers word it "unknown key").
  const details = issuesOf(issue, root).map(({ field, reason }) => ({
    field,
    reason: reason === "Expected no excess property" ? "unknown field" : reason,
  }));
  const first = details[0] ?? { field: root, reason: "invalid" };
  return new ValidationFailed({ message: `${first.field}: ${first.reason}`, details });
};

/**
 * Decodes unknown input, reporting every failing field (not just the first) as `ValidationFailed`. With
 * `unknownFields: "refuse"` a field the schema does not name is reported too (`nickname: unknown field`), so a
 * misspelt optional field is an error instead of silently missing.
 */
export const decodeInput =
  <S extends Schema.Decoder<unknown>>(schema: S, root = "body", unknownFields: "ignore" | "refuse" = "ignore") =>
  (input: unknown): Effect.Effect<S["Type"], ValidationFailed> =>
    Schema.decodeUnknownEffect(schema)(input, {
      errors: "all",
      onExcessProperty: unknownFields === "refuse" ? "error" : "ignore",
    }).pipe(Effect.mapError((error) => toValidationFailed(error.issue, root)));

/**
 * The text policy (docs/api.md, "Text"), one rule for every text field of every function:
 * - every text field refuses what PostgreSQL and DynamoDB cannot store or compare: NUL (U+0000) and lone
 *   surrogates (UTF-16 halves without their pair, which no UTF-8 store can encode);
 * - text people read (names, chips, cities, devices, messages, an ID token's `sub`) also refuses control
 *   characters (C0, DEL, C1: ESC among them, so every ANSI escape) and the bidirectional controls that reorder what
 *   a reader sees (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069). Multi-line text allows line feed and tab.
 * Refused, never stripped: a stripped value is not what the client sent, and would be stored and echoed silently.
 */
export type TextKind = "opaque" | "line" | "multiline";

const LONE_SURROGATE = /\p{Cs}/u;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: as above, with tab and line feed allowed
const CONTROL_BUT_TAB_OR_LINE_FEED = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const BIDI_CONTROL = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

const codePointOf = (char: string): string =>
  `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;

/** Why `value` breaks the text policy for its kind (`contains a NUL character`), or undefined when it does not. */
export const textProblem = (value: string, kind: TextKind): string | undefined => {
  if (value.includes("\u0000")) return "contains a NUL character";
  const lone = LONE_SURROGATE.exec(value);
  if (lone) return `contains a lone surrogate (${codePointOf(lone[0])})`;
  if (kind === "opaque") return undefined;
  const control = (kind === "line" ? CONTROL : CONTROL_BUT_TAB_OR_LINE_FEED).exec(value);
  if (control) return `contains a control character (${codePointOf(control[0])})`;
  const bidi = BIDI_CONTROL.exec(value);
  if (bidi) return `contains a bidirectional control character (${codePointOf(bidi[0])})`;
  return undefined;
};

const obeysTextPolicy = (kind: TextKind) => Schema.makeFilter((value: string) => textProblem(value, kind) ?? true);

/** Text a store keeps or compares but no one reads as prose: ids, tokens, provider names. */
export const StorableText = Schema.String.check(obeysTextPolicy("opaque"));
/** One line people read: names, chips, cities, devices, emails, time zones. */
export const SingleLineText = Schema.String.check(obeysTextPolicy("line"));
/** Prose people read, which may span lines: an event's message, an intention's text. */
export const MultiLineText = Schema.String.check(obeysTextPolicy("multiline"));

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True when `y-m-d` names a real calendar day (2023-02-30 does not). */
export const isCalendarDate = (value: string): boolean => {
  const match = DATE_PATTERN.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
};

/** A calendar date `YYYY-MM-DD` that exists. */
export const IsoDate = Schema.String.check(
  Schema.makeFilter((value: string) => isCalendarDate(value) || "expected a real date as YYYY-MM-DD"),
);

/** An instant as ISO-8601 UTC with `Z`, e.g. `2026-11-23T09:00:00.000Z`. */
export const toIsoUtc = (date: Date): string => date.toISOString();
