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
    // Outside the VPC: claims and settles through the delivery-store function, SendMessageBatch to the queue, and
    // gives up a stuck delivery onto the dead-letter queue. It never posts a webhook, so no secret. The late policy
    // decides send or skip here; next occurrences are scheduled by the delivery-store, with its settings.
    needs: ["deliveryStore:invoke", "deliveriesQueue:send", "deliveriesDeadLetters:send"],
    settings: ["latePolicy"],
    // A burst of tens of thousands due in one minute; the tick stops claiming 15 s before this and settles.
    timeoutSeconds: 60,
  },
  {
    name: "dispatcher",
    description: "Deliveries queue consumer: posts each signed webhook once, retries with backoff, marks failures",
    entry: "apps/scheduling/dispatcher-handler.ts",
    triggers: [{ kind: "queue", queue: "deliveries", batchSize: 10, maximumConcurrency: 10 }],
    // Outside the VPC, so it reaches the receivers without a NAT: holds and records deliveries through the
    // delivery-store function; receives, deletes and delays messages (ChangeMessageVisibility for backoff); reads
    // the signing secret and the webhook URL's SSM parameter (stack config `webhookUrl` is its value).
    needs: ["deliveryStore:invoke", "deliveriesQueue:consume", "webhookSecret:read", "webhookUrl:read"],
    settings: [],
    // Ten posts side by side, each bounded by the webhook client's 5 s timeout, plus the lookups and records.
    timeoutSeconds: 30,
  },
  {
    name: "delivery-store",
    description: "Internal: the DeliveryStore port over Postgres for the scheduler and the dispatcher (Invoke API)",
    entry: "apps/scheduling/delivery-store-handler.ts",
    triggers: [{ kind: "invoke" }],
    // The one function in the VPC on the delivery path: claims, settles, holds and records in Postgres
    // (docs/decisions/0003, unchanged); a claim schedules each event's next occurrence, hence the send time and
    // leap-day policy.
    needs: ["postgres:scheduling"],
    settings: ["sendTime", "leapDayPolicy"],
    // A claim of 1000 rows with their next occurrences takes well under a second; callers wait for it (their own
    // request timeout is longer than this).
    timeoutSeconds: 10,
  },
];
