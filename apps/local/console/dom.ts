/**
 * The console's few DOM helpers: build elements, fill a region only when its data changed (so a focused button
 * or an open <details> is not thrown away by a poll that found nothing new), and format instants.
 */
type Child = Node | string | number | null | undefined | false;
type Props = {
  readonly class?: string;
  readonly [attribute: string]: string | number | boolean | undefined | ((event: Event) => void);
};

export const h = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] => {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === false) continue;
    if (typeof value === "function") element.addEventListener(name.replace(/^on/, ""), value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
};

const append = (parent: Node, children: readonly Child[]): void => {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
};

export const byId = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no #${id}`);
  return element as T;
};

const rendered = new WeakMap<HTMLElement, string>();

/** Replaces the region's content with `render()` unless `data` is what it showed last time. */
export const show = (region: HTMLElement, data: unknown, render: () => Child | Child[]): void => {
  const key = JSON.stringify(data);
  if (rendered.get(region) === key) return;
  rendered.set(region, key);
  const content = render();
  region.replaceChildren();
  append(region, Array.isArray(content) ? content : [content]);
};

/** A table with a header row; `caption` names it for screen readers. */
export const table = (caption: string, headers: readonly string[], rows: ReadonlyArray<readonly Child[]>) =>
  h(
    "table",
    {},
    h("caption", { class: "visually-hidden" }, caption),
    h("thead", {}, h("tr", {}, ...headers.map((header) => h("th", { scope: "col" }, header)))),
    h(
      "tbody",
      {},
      // Each cell names its column, for the narrow layout (console.css) where rows become stacked cards.
      ...rows.map((cells) => h("tr", {}, ...cells.map((cell, i) => h("td", { "data-label": headers[i] ?? "" }, cell)))),
    ),
  );

/** `2026-03-10 09:00:03Z`: an instant, short enough for a narrow column. */
export const instant = (value: string | null | undefined): string =>
  value ? value.replace("T", " ").replace(/\.\d{3}Z$/, "Z") : "—";

export const json = (value: unknown): string => JSON.stringify(value, null, 2);

/** Remembers which <details> are open across re-renders, by a key of their own. */
const openDetails = new Set<string>();
export const details = (key: string, summary: Child, ...content: Child[]): HTMLDetailsElement => {
  const element = h("details", { open: openDetails.has(key) }, h("summary", {}, summary), ...content);
  element.addEventListener("toggle", () => {
    if (element.open) openDetails.add(key);
    else openDetails.delete(key);
  });
  return element;
};
