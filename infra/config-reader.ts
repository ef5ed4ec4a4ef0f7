/**
 * Reads `<namespace>:<key>` values from Pulumi's raw config (strings; objects and arrays as JSON), collecting one
 * problem per bad key instead of stopping at the first, and remembering which keys were read.
 */
export type Raw = Readonly<Record<string, string | undefined>>;

export const isHttpUrl = (value: string, https: boolean): boolean => {
  try {
    const url = new URL(value);
    const local = url.hostname === "localhost" || url.hostname === "127.0.0.1";
    return url.protocol === "https:" || (!https && url.protocol === "http:") || (url.protocol === "http:" && local);
  } catch {
    return false;
  }
};

export const isOrigin = (value: unknown): boolean =>
  value === "*" || (typeof value === "string" && isHttpUrl(value, true) && new URL(value).origin === value);

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export const configReader = (NAMESPACE: string, raw: Raw) => {
  const problems: string[] = [];
  const known = new Set<string>();
  const get = (key: string): string | undefined => {
    known.add(key);
    return raw[`${NAMESPACE}:${key}`];
  };
  const fail = (key: string, expected: string, value: unknown): void => {
    problems.push(`${NAMESPACE}:${key}: expected ${expected}, got ${JSON.stringify(value)}`);
  };
  const integer = (key: string, fallback: number | undefined, min: number, max: number): number => {
    const value = get(key);
    if (value === undefined) {
      if (fallback === undefined) problems.push(`${NAMESPACE}:${key}: required, expected an integer ${min}..${max}`);
      return fallback ?? min;
    }
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) fail(key, `an integer ${min}..${max}`, value);
    return n;
  };
  const boolean = (key: string, fallback: boolean): boolean => {
    const value = get(key);
    if (value === undefined) return fallback;
    if (value !== "true" && value !== "false") fail(key, "true or false", value);
    return value === "true";
  };
  const json = (key: string, check: (value: unknown) => boolean, expected: string): string | undefined => {
    const value = get(key);
    if (value === undefined) return undefined;
    try {
      const parsed: unknown = JSON.parse(value);
      if (check(parsed)) return JSON.stringify(parsed);
    } catch {
      // reported below, like a value of the wrong shape
    }
    fail(key, expected, value);
    return undefined;
  };
  const text = (key: string, check: (value: string) => boolean, expected: string): string | undefined => {
    const value = get(key);
    if (value !== undefined && !check(value)) fail(key, expected, value);
    return value;
  };

  /** A key that must be set: reports it when the value is missing (an invalid one is reported already). */
  const required = <T>(key: string, value: T | undefined, expected: string): T | undefined => {
    if (value === undefined && raw[`${NAMESPACE}:${key}`] === undefined) {
      problems.push(`${NAMESPACE}:${key}: required, expected ${expected}`);
    }
    return value;
  };
  /** Every key under the namespace that nothing read. */
  const unknownKeys = (): string[] =>
    Object.keys(raw)
      .filter((key) => key.startsWith(`${NAMESPACE}:`) && !known.has(key.slice(NAMESPACE.length + 1)))
      .map((key) => `${key}: unknown key (known: ${[...known].sort().join(", ")})`);
  return { problems, get, fail, integer, boolean, json, text, required, unknownKeys };
};
