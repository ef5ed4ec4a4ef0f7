import * as Effect from "effect/Effect";
import { describe, expect, it } from "vitest";
import { Clock } from "../../core/shared/Clock.ts";
import { SettableClock } from "./clock.ts";

const readNow = Effect.gen(function* () {
  const clock = yield* Clock;
  return yield* clock.now;
});

describe("SettableClock", () => {
  it("stands still, jumps and advances, and its layer reads the current value", async () => {
    const clock = new SettableClock("2026-03-08T06:00:00Z");
    const now = await Effect.runPromise(Effect.provide(readNow, clock.layer));
    expect(now.toISOString()).toBe("2026-03-08T06:00:00.000Z");
    clock.advance(90_000);
    expect((await Effect.runPromise(Effect.provide(readNow, clock.layer))).toISOString()).toBe(
      "2026-03-08T06:01:30.000Z",
    );
    clock.set("2027-01-01T00:00:00Z");
    expect(clock.now().getUTCFullYear()).toBe(2027);
    expect(() => clock.set("not a date")).toThrow(RangeError);
  });
});
