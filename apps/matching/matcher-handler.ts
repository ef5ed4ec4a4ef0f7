import * as ManagedRuntime from "effect/ManagedRuntime";
import { matcherLayer, postgresMatchingStoreFromEnv } from "../runtime/matching.ts";
import { makeMatcherHandler } from "./matcher.ts";

/**
 * The matcher function: its schedule (every 3 hours) and its AWS_IAM function URL (`POST /run`) both run one
 * batch. A bad MATCHING_POLICY stops it at cold start with a ConfigError naming the key.
 */
const runtime = ManagedRuntime.make(matcherLayer(postgresMatchingStoreFromEnv()));

export const handler = makeMatcherHandler(runtime);
