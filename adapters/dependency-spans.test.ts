import * as Effect from "effect/Effect";
import * as Option from "effect/Option";
import * as Tracer from "effect/Tracer";
import { describe, expect, it } from "vitest";
import { withDependencySpans } from "./dependency-spans.ts";

/** Effect's own spans, kept as they end: what any tracer (apps/observe/tracing.ts) would be handed. */
const recording = () => {
  const spans: Tracer.NativeSpan[] = [];
  const tracer = Tracer.make({
    span: (options) => {
      const span = new Tracer.NativeSpan(options);
      spans.push(span);
      return span;
    },
  });
  return {
    spans,
    run: <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromiseExit(Effect.withTracer(effect, tracer)),
  };
};

interface Port {
  readonly ping: Effect.Effect<void>;
  readonly find: (id: string, depth: number) => Effect.Effect<string, Error>;
  readonly size: () => number;
}

const port: Port = {
  ping: Effect.void,
  find: (id, depth) => (id === "missing" ? Effect.fail(new Error("no such row")) : Effect.succeed(`${id}@${depth}`)),
  size: () => 3,
};

describe("withDependencySpans", () => {
  it("names one span per call <dependency>.<method>, with the ids the arguments carry, and keeps results", async () => {
    const traced = withDependencySpans("postgres.things", port, { find: (id) => ({ user_id: id }) });
    const { spans, run } = recording();
    const parent = Effect.withSpan("Things.get");
    const found = await run(traced.find("u-1", 2).pipe(parent));
    const missing = await run(traced.find("missing", 0));
    await run(traced.ping);
    expect(found).toMatchObject({ _tag: "Success", value: "u-1@2" });
    expect(missing._tag).toBe("Failure");
    expect(spans.map((span) => span.name)).toEqual([
      "Things.get",
      "postgres.things.find",
      "postgres.things.find",
      "postgres.things.ping",
    ]);
    const [root, call] = spans;
    expect(Option.getOrUndefined(call?.parent ?? Option.none())?.spanId).toBe(root?.spanId);
    expect(Object.fromEntries(call?.attributes ?? [])).toEqual({ user_id: "u-1" });
    expect(spans[3]?.attributes.size).toBe(0);
    expect(spans.every((span) => span.status._tag === "Ended")).toBe(true);
  });

  it("leaves members that are not Effects as they are", () => {
    const traced = withDependencySpans("dynamodb.things", port);
    expect(traced.size()).toBe(3);
  });
});
