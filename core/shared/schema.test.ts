import * as Effect from "effect/Effect";
import * as Schema from "effect/Schema";
import { describe, expect, it } from "vitest";
import { decodeInput, fieldPath, IsoDate, isCalendarDate } from "./schema.ts";

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
