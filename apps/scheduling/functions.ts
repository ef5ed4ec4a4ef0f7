import type { FunctionSpec } from "../manifest.ts";

/** The scheduling capability's functions, as apps/manifest.ts lists them. */
export const schedulingFunctions: readonly FunctionSpec[] = [
  {
    name: "scheduling",
    description: "Back-office API: users and their yearly events, next messages, deliveries (API.md, scheduling)",
    entry: "apps/scheduling/handler.ts",
    triggers: [{ kind: "url", auth: "AWS_IAM" }],
    // Users, events and pending deliveries are recomputed in one transaction; no queue, no webhook.
    needs: ["postgres:scheduling"],
    settings: ["sendTime", "latePolicy", "leapDayPolicy", "corsOrigins"],
  },
  {
    name: "scheduler",
    description: "Every minute: claims due deliveries in batches, enqueues them, schedules each event's next one",
    entry: "apps/scheduling/scheduler-handler.ts",
    triggers: [{ kind: "schedule", expression: "rate(1 minute)" }],
    // Claims and settles deliveries; SendMessageBatch only. It never posts a webhook, so no secret.
    needs: ["postgres:scheduling", "deliveriesQueue:send"],
    settings: ["sendTime", "latePolicy", "leapDayPolicy"],
    // A burst of tens of thousands due in one minute; the tick stops claiming 15 s before this and settles.
    timeoutSeconds: 60,
  },
  {
    name: "dispatcher",
    description: "Deliveries queue consumer: posts each signed webhook once, retries with backoff, marks failures",
    entry: "apps/scheduling/dispatcher-handler.ts",
    triggers: [{ kind: "queue", queue: "deliveries", batchSize: 10, maximumConcurrency: 10 }],
    // Receives, deletes and delays messages (ChangeMessageVisibility for backoff); reads the signing secret.
    needs: ["postgres:scheduling", "deliveriesQueue:consume", "webhookSecret:read", "webhookUrl:read"],
    settings: [],
    // Ten posts side by side, each bounded by the webhook client's 5 s timeout, plus the lookups and records.
    timeoutSeconds: 30,
  },
];
