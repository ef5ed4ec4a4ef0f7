/**
 * Small SVG charts drawn by hand: bars with their labels and values (pairs per tier, a score histogram, the pool
 * by tier) and a sparkline (a metric's recent values). Each has a <title> and an aria-label saying what it
 * shows in words, and the numbers are printed in it, so nothing is only a picture.
 */
const SVG = "http://www.w3.org/2000/svg";

const svg = <K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number>,
  text?: string,
): SVGElementTagNameMap[K] => {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
};

const frame = (title: string, width: number, height: number): SVGSVGElement => {
  // Drawn at its own size (text stays 10 px whatever the number of bars), shrunk only to fit a narrow column.
  const root = svg("svg", {
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    role: "img",
    "aria-label": title,
    class: "chart",
  });
  root.appendChild(svg("title", {}, title));
  return root;
};

/** Vertical bars, one per item, each labelled below and with its value above. */
export const barChart = (
  title: string,
  items: ReadonlyArray<{ readonly label: string; readonly value: number }>,
): SVGSVGElement => {
  const width = Math.max(150, items.length * 30);
  const height = 110;
  const plot = { top: 16, bottom: 22 };
  const max = Math.max(1, ...items.map((item) => item.value));
  const step = width / Math.max(1, items.length);
  const root = frame(title, width, height);
  items.forEach((item, index) => {
    const barHeight = ((height - plot.top - plot.bottom) * item.value) / max;
    const x = index * step + step * 0.15;
    const y = height - plot.bottom - barHeight;
    root.appendChild(svg("rect", { x, y, width: step * 0.7, height: barHeight, class: "bar" }));
    root.appendChild(svg("text", { x: x + step * 0.35, y: y - 3, "text-anchor": "middle" }, String(item.value)));
    root.appendChild(svg("text", { x: x + step * 0.35, y: height - 6, "text-anchor": "middle" }, item.label));
  });
  root.appendChild(
    svg("line", { x1: 0, x2: width, y1: height - plot.bottom, y2: height - plot.bottom, class: "axis" }),
  );
  return root;
};

/** A line through the values, oldest first, with the latest marked. */
export const sparkline = (title: string, values: readonly number[]): SVGSVGElement => {
  const width = 200;
  const height = 48;
  const root = frame(title, width, height);
  if (values.length === 0) return root;
  const min = Math.min(0, ...values);
  const max = Math.max(min + 1, ...values);
  const x = (index: number) => (values.length === 1 ? width / 2 : (index * (width - 8)) / (values.length - 1) + 4);
  const y = (value: number) => height - 4 - ((value - min) * (height - 8)) / (max - min);
  const points = values.map((value, index) => `${x(index).toFixed(1)},${y(value).toFixed(1)}`).join(" ");
  root.appendChild(svg("polyline", { points, class: "line" }));
  const last = values.length - 1;
  root.appendChild(svg("circle", { cx: x(last), cy: y(values[last] ?? 0), r: 3, class: "dot" }));
  return root;
};
