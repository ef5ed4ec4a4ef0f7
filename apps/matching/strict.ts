import * as Effect from "effect/Effect";
import { Chips, IntentionInput, Who } from "../../core/matching/model.ts";
import { type FieldIssue, ValidationFailed } from "../../core/shared/errors.ts";
import { fieldPath } from "../../core/shared/schema.ts";

/**
 * Unknown fields are refused, not ignored: the use cases decode leniently, and a typo such as `"must_have"` would
 * otherwise silently drop a must-have and match the caller against what they ruled out. Only the field names are
 * checked here; types and values stay the use cases' job, so each rule lives in one place.
 */

/** Known field names; a nested Shape for objects whose own fields are checked too. */
export interface Shape {
  readonly [field: string]: Shape | true;
}

const known = (fields: object): Record<string, true> => Object.fromEntries(Object.keys(fields).map((k) => [k, true]));

/** The body of `PUT /intention`, from the core's own schema so the two never drift. */
export const INTENTION_FIELDS: Shape = {
  ...known(IntentionInput.fields),
  chips: { ...known(Chips.fields), who: known(Who.fields) },
};
export const FEEDBACK_FIELDS: Shape = { matched_on: true, was_accurate: true };
export const CANDIDATES_FIELDS: Shape = { limit: true };
export const RUN_FIELDS: Shape = { trigger: true };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const unknownFields = (value: unknown, shape: Shape, path: readonly string[]): FieldIssue[] => {
  if (!isRecord(value)) return [];
  return Object.entries(value).flatMap(([name, inner]): FieldIssue[] => {
    const expected = shape[name];
    if (expected === undefined) return [{ field: fieldPath([...path, name]), reason: "unknown field" }];
    return expected === true ? [] : unknownFields(inner, expected, [...path, name]);
  });
};

/** Fails with ValidationFailed naming every unknown field (`chips.colour: unknown field`). */
export const rejectUnknownFields =
  (shape: Shape) =>
  (body: unknown): Effect.Effect<void, ValidationFailed> => {
    const details = unknownFields(body, shape, []);
    const first = details[0];
    return first
      ? Effect.fail(new ValidationFailed({ message: `${first.field}: ${first.reason}`, details }))
      : Effect.void;
  };
