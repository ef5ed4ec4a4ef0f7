import { control, type Metric } from "./api.ts";
import { sparkline } from "./charts.ts";
import { byId, h, show } from "./dom.ts";

/**
 * Metrics: every business metric the functions emitted (GET /_local/metrics), one small chart each of its recent
 * values, with count, sum and last, updated by the page's polling.
 */
const dimensionsOf = (metric: Metric): string =>
  Object.entries(metric.dimensions)
    .filter(([name]) => name !== "Stack")
    .map(([name, value]) => `${name}=${value}`)
    .join(", ");

const round = (value: number): string => (Number.isInteger(value) ? String(value) : value.toFixed(2));

export const refreshMetrics = async (): Promise<void> => {
  const answer = await control<{ metrics: Metric[] }>("GET", "/_local/metrics");
  const region = byId("metric-list");
  if (answer.status === 404) {
    show(region, "absent", () => h("p", { class: "muted" }, "This runtime does not collect metrics yet."));
    return;
  }
  const metrics = answer.body.metrics;
  show(region, metrics, () =>
    metrics.length === 0
      ? h("p", { class: "muted" }, "No metric emitted yet.")
      : metrics.map((metric) => {
          const dimensions = dimensionsOf(metric);
          const title = `${metric.name}${dimensions ? ` (${dimensions})` : ""}`;
          return h(
            "figure",
            { class: "metric" },
            h(
              "figcaption",
              {},
              h("strong", {}, metric.name),
              dimensions ? ` ${dimensions}` : "",
              h("br", {}),
              h("span", { class: "muted small" }, metric.namespace),
            ),
            sparkline(
              `${title}: last ${metric.recent.length} values, latest ${round(metric.last)} ${metric.unit}`,
              metric.recent.map((point) => point.value),
            ),
            h(
              "p",
              { class: "small" },
              `count ${metric.count} · sum ${round(metric.sum)} · last ${round(metric.last)} ${metric.unit}`,
            ),
          );
        }),
  );
};
