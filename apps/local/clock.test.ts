import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseIsoDuration, RuntimeClock } from "./clock.ts";

describe("ISO-8601 durations", () => {
  it("read weeks, days, hours, minutes and seconds", () => {
    expect(parseIsoDuration("PT25H")).toBe(25 * 3_600_000);
    expect(parseIsoDuration("P1DT2H30M")).toBe(86_400_000 + 2 * 3_600_000 + 30 * 60_000);
    expect(parseIsoDuration("P1W")).toBe(7 * 86_400_000);
    expect(parseIsoDuration("PT1.5S")).toBe(1500);
    expect(parseIsoDuration("-PT30M")).toBe(-30 * 60_000);
  });

  it("refuse empty, month/year and malformed durations", () => {
    for (const bad of ["P", "PT", "P1M", "P1Y", "25H", "PT1H2", "tomorrow", ""]) {
      expect(parseIsoDuration(bad), bad).toBeUndefined();
    }
  });
});

describe("the runtime clock", () => {
  const dir = mkdtempSync(join(tmpdir(), "clock-test-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("moves, tells its listeners, and keeps its offset across restarts", () => {
    const file = join(dir, "clock.json");
    const clock = new RuntimeClock(file);
    let moves = 0;
    clock.onChange(() => moves++);
    clock.set(new Date("2030-06-01T09:00:00Z"));
    clock.advance(3_600_000);
    expect(Math.abs(clock.now().getTime() - Date.parse("2030-06-01T10:00:00Z"))).toBeLessThan(5_000);
    expect(moves).toBe(2);
    const restarted = new RuntimeClock(file);
    expect(restarted.offsetMs).toBe(clock.offsetMs);
    restarted.reset();
    expect(restarted.offsetMs).toBe(0);
    expect(() => clock.set(new Date("nope"))).toThrow(RangeError);
  });
});
