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
