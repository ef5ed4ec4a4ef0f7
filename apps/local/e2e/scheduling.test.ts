import { describe, expect, it } from "vitest";
import { call, metricDelta, metricSums, useLocalStack } from "./client.ts";
import { firstWebhookFor, queuesDrained, webhooksFor } from "./webhooks.ts";

/**
 * Scheduling end to end: users in three time zones, the clock travelled to each one's 09:00 local, and exactly one
 * verified webhook per user, delivered by the scheduler (its schedule fired by the clock), the deliveries queue and
 * the dispatcher, to the local receiver.
 */
const stack = useLocalStack();

interface CreatedUser {
  readonly id: string;
  readonly next_messages: ReadonlyArray<{ event_id: string; type: string; send_at: string; local_send_at: string }>;
}

const people = [
  { first_name: "Aiko", last_name: "Tanaka", timezone: "Asia/Tokyo" },
  { first_name: "Ella", last_name: "Brown", timezone: "Europe/London" },
  { first_name: "John", last_name: "Doe", timezone: "America/New_York" },
];

describe("scheduling, end to end", () => {
  it("sends each user exactly one verified birthday webhook at 09:00 in their own time zone", async () => {
    const scheduling = stack().url("scheduling");
    const before = await metricSums(stack(), "Rendezvous/Scheduling");
    await stack().setClock("2026-03-09T00:00:00Z");
    const users: Array<CreatedUser & { name: string }> = [];
    for (const person of people) {
      const created = await call(scheduling, "POST", "/users", { body: { ...person, birthday: "1990-03-10" } });
      expect(created.status).toBe(201);
      const user = created.body as CreatedUser;
      expect(user.next_messages[0]).toMatchObject({ type: "birthday", local_send_at: "2026-03-10T09:00" });
      users.push({ ...user, name: `${person.first_name} ${person.last_name}` });
    }
    // Tokyo (UTC+9), London (UTC+0 before its DST), New York (UTC-4: DST began on March 8).
    expect(users.map((user) => user.next_messages[0]?.send_at)).toEqual([
      "2026-03-10T00:00:00.000Z",
      "2026-03-10T09:00:00.000Z",
      "2026-03-10T13:00:00.000Z",
    ]);

    for (const [index, user] of users.entries()) {
      const sendAt = user.next_messages[0]?.send_at ?? "";
      // One minute before: the scheduler runs, the queue drains, and nothing was sent to this user.
      await stack().setClock(new Date(Date.parse(sendAt) - 60_000).toISOString());
      await stack().control("POST", "/_local/schedules/scheduler/run", {});
      await queuesDrained(stack());
      expect(await webhooksFor(stack(), user.id)).toHaveLength(0);

      // At 09:00 local the scheduler's own schedule fires (the clock moved past its tick); nobody runs it by hand.
      await stack().setClock(sendAt);
      const webhook = await firstWebhookFor(stack(), user.id, user.name);
      // Received on the runtime's clock, at or after the user's 09:00 (never before).
      expect(Date.parse(webhook.received_at)).toBeGreaterThanOrEqual(Date.parse(sendAt));
      expect(webhook).toMatchObject({
        verified: true,
        body: {
          message: `Hey, ${user.name} it's your birthday`,
          user_id: user.id,
          event_id: user.next_messages[0]?.event_id,
          event_type: "birthday",
          occurrence: "2026-03-10",
        },
      });
      // The users whose 09:00 has not come yet have nothing.
      for (const later of users.slice(index + 1)) expect(await webhooksFor(stack(), later.id)).toHaveLength(0);
    }

    // A later run of the scheduler, and once the queues are empty: still exactly one each.
    await stack().control("POST", "/_local/schedules/scheduler/run", {});
    await queuesDrained(stack());
    for (const user of users) expect(await webhooksFor(stack(), user.id)).toHaveLength(1);

    // The scheduling metrics (GET /_local/metrics): three delivered, nothing retried, failed or dead-lettered,
    // and each one's lateness from its 09:00 to the receiver's 2xx: under the minute of a scheduler tick.
    expect(await metricDelta(stack(), "Rendezvous/Scheduling", before)).toEqual({
      "Deliveries{Outcome=delivered}": 3,
      DeliveryLateness: expect.any(Number),
    });
    const { metrics } = (await stack().control("GET", "/_local/metrics?namespace=Rendezvous/Scheduling")).body as {
      metrics: Array<{ name: string; count: number; min: number; max: number }>;
    };
    const lateness = metrics.find((series) => series.name === "DeliveryLateness");
    expect(lateness?.count).toBe(3);
    expect(lateness?.min).toBeGreaterThanOrEqual(0);
    expect(lateness?.max).toBeLessThan(60_000);
  });
});
