import * as Effect from "effect/Effect";

/**
 * One span per port call that reaches a dependency, named `<dependency>.<method>` (`postgres.users.find`,
 * `dynamodb.sessions.get`, `sqs.deliveries.enqueue`): apps/observe/tracing.ts sends spans so named to X-Ray as
 * remote calls. A port is a record of methods returning Effects (and Effect values such as `ping`); each is
 * wrapped, the record's type is unchanged. `ids` may name, per method, the record ids its arguments carry
 * (`user_id`, `delivery_id`, `match_id`, `run_id`); the tracer keeps those and drops any other attribute.
 */
type Ids<S> = {
  readonly [K in keyof S]?: S[K] extends (...args: infer A) => unknown
    ? (...args: A) => Readonly<Record<string, string>>
    : never;
};

export const withDependencySpans = <S extends object>(dependency: string, port: S, ids: Ids<S> = {}): S => {
  const traced: Record<string, unknown> = {};
  for (const [method, member] of Object.entries(port)) {
    const name = `${dependency}.${method}`;
    const idsOf = Reflect.get(ids, method) as ((...args: unknown[]) => Record<string, string>) | undefined;
    traced[method] = Effect.isEffect(member)
      ? Effect.withSpan(member, name)
      : typeof member === "function"
        ? (...args: unknown[]) => {
            const result: unknown = member(...args);
            if (!Effect.isEffect(result)) return result;
            return Effect.withSpan(result, name, idsOf ? { attributes: idsOf(...args) } : undefined);
          }
        : member;
  }
  return traced as S;
};
