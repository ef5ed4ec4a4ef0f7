import * as Effect from "effect/Effect";
import * as Schema from "effect/Schema";
import { describe, expect, it } from "vitest";
import {
  decodeInput,
  fieldPath,
  IsoDate,
  isCalendarDate,
  SingleLineText,
  type TextKind,
  textProblem,
} from "./schema.ts";

const Body = Schema.Struct({
  birthday: IsoDate,
  chips: Schema.Struct({ when: Schema.Array(Schema.String) }),
});

describe("decodeInput", () => {
  it("passes a valid input through", async () => {
    const value = await Effect.runPromise(decodeInput(Body)({ birthday: "2000-02-29", chips: { when: ["sat"] } }));
    expect(value.birthday).toBe("2000-02-29");
  });

  it("names every failing field with its reason", async () => {
    const error = await Effect.runPromise(
      Effect.flip(decodeInput(Body)({ birthday: "2023-02-30", chips: { when: ["sat", 3] } })),
    );
    expect(error._tag).toBe("ValidationFailed");
    expect(error.details.map((d) => d.field)).toEqual(["birthday", "chips.when[1]"]);
    expect(error.message).toBe("birthday: expected a real date as YYYY-MM-DD");
  });

  it("ignores unknown fields by default and, when told to refuse them, names each nested one", async () => {
    const input = { birthday: "2000-02-29", nickname: "x", chips: { when: ["sat"], colour: "red" } };
    expect(await Effect.runPromise(decodeInput(Body)(input))).toEqual({
      birthday: "2000-02-29",
      chips: { when: ["sat"] },
    });
    const error = await Effect.runPromise(Effect.flip(decodeInput(Body, "body", "refuse")(input)));
    expect(error.details).toEqual(
      expect.arrayContaining([
        { field: "nickname", reason: "unknown field" },
        { field: "chips.colour", reason: "unknown field" },
      ]),
    );
    expect(error.details).toHaveLength(2);
  });

  it("reports a missing body as the body", async () => {
    const error = await Effect.runPromise(Effect.flip(decodeInput(Body)(undefined)));
    expect(error.details[0]?.field).toBe("body");
  });
});

describe("dates and paths", () => {
  it.each([
    ["2024-02-29", true],
    ["2023-02-29", false],
    ["2023-02-30", false],
    ["2023-13-01", false],
    ["2023-1-01", false],
    ["1999-12-31", true],
  ])("isCalendarDate(%s) is %s", (value, expected) => expect(isCalendarDate(value)).toBe(expected));

  it("formats paths as dotted fields with indexes", () => {
    expect(fieldPath(["chips", "when", 2])).toBe("chips.when[2]");
    expect(fieldPath([], "env")).toBe("env");
  });
});

describe("the text policy", () => {
  it.each<[string, string, TextKind, string | undefined]>([
    ["a NUL", "Ada\u0000", "opaque", "contains a NUL character"],
    ["a lone high surrogate", "Ada\ud800", "opaque", "contains a lone surrogate (U+D800)"],
    ["a lone low surrogate", "\udc00Ada", "line", "contains a lone surrogate (U+DC00)"],
    ["a surrogate pair (an emoji)", "Ada \ud83c\udf82", "line", undefined],
    ["RTL letters", "\u05e2\u05d3\u05d4", "line", undefined],
    ["an ANSI escape in an id", "\u001b[31m", "opaque", undefined],
    ["an ANSI escape in a name", "\u001b[31mAda", "line", "contains a control character (U+001B)"],
    ["a C1 control", "Ada\u0085", "line", "contains a control character (U+0085)"],
    ["DEL", "Ada\u007f", "multiline", "contains a control character (U+007F)"],
    ["a line feed in a name", "Ada\nKing", "line", "contains a control character (U+000A)"],
    ["a line feed and a tab in a message", "Hi\n\tAda", "multiline", undefined],
    ["a carriage return in a message", "Hi\r\nAda", "multiline", "contains a control character (U+000D)"],
    ["a right-to-left override", "Ada\u202e", "line", "contains a bidirectional control character (U+202E)"],
    ["a first-strong isolate", "\u2068Ada", "multiline", "contains a bidirectional control character (U+2068)"],
    ["a left-to-right mark", "Ada\u200e", "line", "contains a bidirectional control character (U+200E)"],
  ])("judges %s", (_name, value, kind, problem) => expect(textProblem(value, kind)).toBe(problem));

  it("names the field and the reason when a schema decodes", async () => {
    const Person = Schema.Struct({ first_name: SingleLineText.check(Schema.isMaxLength(5)) });
    const error = await Effect.runPromise(Effect.flip(decodeInput(Person)({ first_name: "Ada\u0000 Lovelace" })));
    expect(error.message).toBe("first_name: contains a NUL character");
  });
});
