import { control } from "./api.ts";
import { barChart } from "./charts.ts";
import { byId, h, instant, show, table } from "./dom.ts";
import type { MatchingView, SchedulingView } from "./views.ts";

/**
 * Data views (GET /_local/data/scheduling and /_local/data/matching, read-only): scheduling users with their next
 * messages and deliveries by status; the matching pool by tier and the last batch's report as a picture.
 */
type Counts = Record<string, number>;

const chips = (counts: Counts) => {
  const entries = Object.entries(counts);
  return entries.length === 0
    ? h("span", { class: "muted" }, "none")
    : h(
        "span",
        { class: "chips" },
        ...entries.map(([status, count]) => h("span", { class: `chip chip-${status}` }, `${status} ${count}`)),
      );
};

export const refreshScheduling = async (): Promise<void> => {
  const { body } = await control<SchedulingView>("GET", "/_local/data/scheduling?limit=50");
  show(byId("scheduling-view"), body, () => [
    h("p", {}, "Deliveries by status: ", chips(body.deliveries_by_status)),
    body.users.length === 0
      ? h("p", { class: "muted" }, "No users yet.")
      : h(
          "div",
          { class: "scroll" },
          table(
            "Scheduling users",
            ["user", "time zone", "birthday", "next messages", "deliveries"],
            body.users.map((user) => [
              h("span", {}, h("strong", {}, user.name), h("br", {}), h("code", { class: "small" }, user.id)),
              user.timezone,
              user.birthday,
              user.next_messages.length
                ? h(
                    "ul",
                    { class: "plain" },
                    ...user.next_messages.map((next) =>
                      h("li", {}, `${next.type} ${next.occurrence}: ${instant(next.send_at)} (${next.status})`),
                    ),
                  )
                : "—",
              chips(user.deliveries_by_status),
            ]),
          ),
        ),
    body.recent_deliveries.length === 0
      ? null
      : h(
          "details",
          {},
          h("summary", {}, `Recent deliveries (${body.recent_deliveries.length})`),
          h(
            "div",
            { class: "scroll" },
            table(
              "Recent deliveries",
              ["updated", "user", "occurrence", "status", "attempts", "last error"],
              body.recent_deliveries.map((row) => [
                instant(row.updated_at),
                h("code", { class: "small" }, row.user_id.slice(0, 8)),
                row.occurrence,
                row.status,
                row.attempts,
                row.last_error ?? "",
              ]),
            ),
          ),
        ),
  ]);
};

const tiers = (counts: Counts) => ["0", "1", "2"].map((tier) => ({ label: `tier ${tier}`, value: counts[tier] ?? 0 }));

export const refreshMatching = async (): Promise<void> => {
  const { body } = await control<MatchingView>("GET", "/_local/data/matching");
  const batch = body.last_batch;
  show(byId("matching-view"), body, () => [
    h(
      "div",
      { class: "figures" },
      h(
        "figure",
        {},
        barChart(
          `Pool by tier: ${tiers(body.pool.by_tier)
            .map((t) => `${t.label} ${t.value}`)
            .join(", ")}`,
          tiers(body.pool.by_tier),
        ),
        h("figcaption", {}, `The pool: ${body.pool.entries.length} waiting`),
      ),
      batch
        ? h(
            "figure",
            {},
            barChart(
              `Pairs per tier: ${tiers(batch.by_tier)
                .map((t) => `${t.label} ${t.value}`)
                .join(", ")}`,
              tiers(batch.by_tier),
            ),
            h("figcaption", {}, `Last batch: ${batch.pairs_created} pairs of ${batch.pool_size}`),
          )
        : null,
      batch
        ? h(
            "figure",
            {},
            barChart(
              `Score histogram: ${batch.score_histogram.map((count, i) => `${(i / 10).toFixed(1)}: ${count}`).join(", ")}`,
              batch.score_histogram.map((count, i) => ({ label: (i / 10).toFixed(1), value: count })),
            ),
            h("figcaption", {}, "Pair scores, in buckets of 0.1"),
          )
        : null,
    ),
    batch
      ? h(
          "p",
          { class: "small" },
          `Batch ${batch.run_id.slice(0, 8)} at ${instant(batch.started_at)}: ${batch.promoted} promoted, ${batch.expired} expired.`,
        )
      : h("p", { class: "muted" }, "No batch has run yet."),
    batch && batch.pairs.length > 0
      ? h(
          "div",
          { class: "scroll" },
          table(
            "Pairs of the last batch",
            ["pair", "score", "tier", "status"],
            batch.pairs.map((pair) => [
              `${pair.user_a} + ${pair.user_b}`,
              pair.score.toFixed(3),
              pair.tier,
              pair.status,
            ]),
          ),
        )
      : null,
  ]);
};
