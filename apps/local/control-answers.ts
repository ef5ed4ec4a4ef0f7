import * as Result from "effect/Result";
import * as Schema from "effect/Schema";
import { issuesOf } from "../../core/shared/schema.ts";

/**
 * The control server's answers (apps/local/control.ts and the routes beside it): JSON, an error in the shape every
 * function uses, or `raw` content of its own type (the console's page and assets). A refused input is a 400 that
 * names the field and the reason, whether it came in a body or in the query.
 */
export type Answer = {
  status: number;
  body?: unknown;
  raw?: { readonly type: string; readonly content: string | Uint8Array };
};

export const error = (status: number, code: string, message: string, details: unknown[] = []): Answer => ({
  status,
  body: { error: { code, message, details } },
});

export const refuse = (field: string, reason: string): Answer =>
  error(400, "validation_failed", `${field}: ${reason}`, [{ field, reason }]);

type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly answer: Answer };

export const decode = <S extends Schema.Decoder<unknown>>(schema: S, input: unknown): Decoded<S["Type"]> => {
  const result = Schema.decodeUnknownResult(schema)(input, { errors: "all", onExcessProperty: "ignore" });
  if (Result.isSuccess(result)) return { ok: true, value: result.success };
  const details = issuesOf(result.failure.issue);
  const first = details[0] ?? { field: "body", reason: "invalid" };
  return { ok: false, answer: error(400, "validation_failed", `${first.field}: ${first.reason}`, [...details]) };
};

/** `?limit=` as an integer in 1..max (`fallback` when absent), or the 400 that names it. */
export const limitOf = (query: URLSearchParams, fallback: number, max: number): number | Answer => {
  const text = query.get("limit");
  if (text === null) return fallback;
  const limit = Number(text);
  return /^\d+$/.test(text) && limit >= 1 && limit <= max ? limit : refuse("limit", `expected an integer 1..${max}`);
};
