/**
 * The control server's routes as the page calls them (same origin: the page is served by the control server).
 * The shapes are docs/api.md's, "Local runtime controls".
 */
export interface Answer<T> {
  readonly status: number;
  readonly body: T;
}

export const control = async <T = unknown>(method: string, path: string, body?: unknown): Promise<Answer<T>> => {
  const response = await fetch(path, {
    method,
    ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text === "" ? null : JSON.parse(text)) as T };
};

/** The error message of a control or function answer, if it is one. */
export const errorOf = (body: unknown): string | undefined => {
  const error = (body as { error?: { message?: unknown } } | null)?.error;
  return typeof error?.message === "string" ? error.message : undefined;
};

export interface FunctionInfo {
  readonly name: string;
  readonly description: string;
  readonly url: string | null;
  readonly auth: string | null;
  readonly triggers: ReadonlyArray<{ kind: string; expression?: string; auth?: string; batchSize?: number }>;
  readonly needs: readonly string[];
}

export interface Invocation {
  readonly id: string;
  readonly function: string;
  readonly trigger: string;
  readonly started_at: string;
  /** Absent while it runs. */
  readonly duration_ms?: number;
  /** The HTTP status of a URL invocation, else "ok" | "error"; absent while it runs. */
  readonly status?: string | number;
  readonly error?: string;
  readonly logs: ReadonlyArray<Record<string, unknown>>;
}

export interface ScheduleInfo {
  readonly function: string;
  readonly expression: string;
  readonly next_fire: string | null;
  readonly last_fire: { scheduled_time: string; outcome: string; error?: string } | null;
}

export interface QueueInfo {
  readonly name: string;
  readonly visible: number;
  readonly in_flight: number;
  readonly delayed: number;
}

export interface Webhook {
  readonly webhook_id: string;
  readonly verified: boolean;
  readonly status: number;
  readonly reason?: string;
  readonly headers?: Record<string, string>;
  readonly body: unknown;
  readonly received_at: string;
}

export interface Metric {
  readonly namespace: string;
  readonly name: string;
  readonly unit: string;
  readonly dimensions: Record<string, string>;
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  readonly last: number;
  readonly recent: ReadonlyArray<{ time: string; value: number }>;
}

export interface ProxiedResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
  readonly duration_ms: number;
}

/** A request to a function URL, sent by the control server for the page (POST /_local/request). */
export const callFunction = async (request: {
  function: string;
  method: string;
  path: string;
  body?: unknown;
  bearer?: string;
}): Promise<ProxiedResponse> => {
  const answer = await control<ProxiedResponse>("POST", "/_local/request", request);
  if (answer.status !== 200) throw new Error(errorOf(answer.body) ?? `request failed (${answer.status})`);
  return answer.body;
};
