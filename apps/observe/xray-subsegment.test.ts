import * as Exit from "effect/Exit";
import { describe, expect, it } from "vitest";
import { datagramOf, errorTypeOf, MAX_DATAGRAM_BYTES, type Subsegment, subsegmentOf } from "./xray-subsegment.ts";

const document: Subsegment = {
  name: "x",
  id: "0123456789abcdef",
  trace_id: "1-67a1b2c3-0123456789abcdef01234567",
  parent_id: "53995c3f42cd8ad8",
  type: "subsegment",
  start_time: 1,
  end_time: 2,
};

describe("an X-Ray subsegment", () => {
  it("travels behind the daemon's header line, and is dropped when it does not fit in one datagram", () => {
    expect(datagramOf(document)?.toString("utf8")).toBe(`{"format":"json","version":1}\n${JSON.stringify(document)}`);
    expect(datagramOf({ ...document, annotations: { user_id: "u".repeat(MAX_DATAGRAM_BYTES) } })).toBeUndefined();
  });

  it("names a failure by its tag or class, and anything else by a safe word, never by its content", () => {
    expect(errorTypeOf({ _tag: "NotFound", id: "secret" })).toBe("NotFound");
    expect(errorTypeOf(new RangeError("token abc"))).toBe("RangeError");
    expect(errorTypeOf({ _tag: "select * from users where token = 'abc'" })).toBe("Error");
    expect(errorTypeOf("password=hunter2")).toBe("String");
    expect(errorTypeOf(null)).toBe("object");
  });

  it("keeps allow-listed ids of sensible size only, and times in epoch seconds", () => {
    const built = subsegmentOf({
      name: "sqs.deliveries.enqueue",
      id: document.id,
      traceId: document.trace_id,
      parentId: document.parent_id,
      startTime: 1_767_000_000_123_456_789n,
      endTime: 1_767_000_000_223_456_789n,
      attributes: new Map<string, unknown>([
        ["run_id", "r-1"],
        ["match_id", "m".repeat(300)],
        ["user_id", { nested: "object" }],
        ["authorization", "Bearer abc"],
      ]),
      exit: Exit.void,
      newId: () => "ffffffffffffffff",
    });
    expect(built).toEqual({
      ...document,
      name: "sqs.deliveries.enqueue",
      start_time: 1_767_000_000.123456,
      end_time: 1_767_000_000.223456,
      namespace: "remote",
      annotations: { run_id: "r-1" },
    });
  });
});
