/**
 * The vocabulary of the preflight checks: each rule looks at one field of one resource and answers the sentence a
 * failed `pulumi up` would have printed, naming the resource and the field, or nothing.
 */
export type Check = (value: unknown) => string | undefined;

/** `where` is how a problem names the resource: `<type> <logical name>`. */
export const problem = (where: string, field: string, reason: string): string => `${where}: ${field}: ${reason}`;

const described = (value: unknown): string => JSON.stringify(value)?.slice(0, 80) ?? String(value);

/** Characters AWS accepts in a name or description, as a character class without brackets (e.g. `a-zA-Z0-9-_`). */
export const text =
  (options: { min?: number; max: number; chars?: string; charsSaid?: string; pattern?: RegExp }): Check =>
  (value) => {
    if (typeof value !== "string") return `expected a string, got ${described(value)}`;
    const length = [...value].length;
    if (length < (options.min ?? 1)) return `${described(value)} is shorter than ${options.min ?? 1} characters`;
    if (length > options.max) return `${described(value)} is ${length} characters, more than ${options.max}`;
    if (options.chars) {
      const bad = [...value].find((c) => !new RegExp(`^[${options.chars}]$`, "u").test(c));
      if (bad !== undefined) {
        return `${described(value)} holds ${JSON.stringify(bad)}, outside ${options.charsSaid ?? `[${options.chars}]`}`;
      }
    }
    if (options.pattern && !options.pattern.test(value)) {
      return `${described(value)} does not match ${options.pattern}`;
    }
    return undefined;
  };

export const integer =
  (min: number, max: number): Check =>
  (value) =>
    typeof value === "number" && Number.isInteger(value) && value >= min && value <= max
      ? undefined
      : `${described(value)} is not an integer in ${min}..${max}`;

export const oneOf =
  (allowed: readonly (string | number)[]): Check =>
  (value) =>
    allowed.includes(value as string) ? undefined : `${described(value)} is not one of ${allowed.join(", ")}`;

/** Every rule of `checks` that `value` breaks (an absent optional field breaks none). */
export const checkFields = (
  where: string,
  inputs: Record<string, unknown>,
  checks: Record<string, Check>,
  required: readonly string[] = [],
): string[] =>
  Object.entries(checks).flatMap(([path, check]) => {
    const value = path.split(".").reduce<unknown>((at, key) => (at as Record<string, unknown>)?.[key], inputs);
    if (value === undefined) return required.includes(path) ? [problem(where, path, "required")] : [];
    const reason = check(value);
    return reason ? [problem(where, path, reason)] : [];
  });

/** EC2's character set for security group names, descriptions and rule descriptions. */
export const EC2_TEXT = {
  chars: "a-zA-Z0-9. _\\-:/()#,@\\[\\]+=&;{}!$*",
  charsSaid: "a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*",
};
