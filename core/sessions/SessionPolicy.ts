import * as Context from "effect/Context";
import * as Layer from "effect/Layer";
import { defaultSessionPolicy, type SessionPolicyValues } from "./model.ts";

/** The stack's timeouts and cap, provided once per function from `SESSION_POLICY`. */
export class SessionPolicy extends Context.Service<SessionPolicy, SessionPolicyValues>()(
  "core/sessions/SessionPolicy",
) {}

export const sessionPolicyLayer = (values: SessionPolicyValues = defaultSessionPolicy): Layer.Layer<SessionPolicy> =>
  Layer.succeed(SessionPolicy, values);
