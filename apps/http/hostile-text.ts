/**
 * The text policy's hostile values (core/shared/schema.ts; docs/api.md, "Text") for every function's bad-input
 * suite, each with the reason the API gives, so each suite names only its fields and where they go.
 */
export interface HostileText {
  readonly what: string;
  readonly value: string;
  readonly reason: string;
}

/** What PostgreSQL and DynamoDB cannot store or compare: refused in every text field. */
export const UNSTORABLE_TEXT: readonly HostileText[] = [
  { what: "a NUL", value: "Ada\u0000", reason: "contains a NUL character" },
  { what: "a lone surrogate", value: "Ada\ud800", reason: "contains a lone surrogate (U+D800)" },
];

/** Refused in text people read (names, chips, devices, messages), on top of the above. */
export const UNREADABLE_TEXT: readonly HostileText[] = [
  ...UNSTORABLE_TEXT,
  { what: "an ANSI escape", value: "\u001b[2JAda", reason: "contains a control character (U+001B)" },
  { what: "a C1 control (CSI)", value: "Ada\u009b31m", reason: "contains a control character (U+009B)" },
  { what: "a backspace", value: "Ada\u0008", reason: "contains a control character (U+0008)" },
  {
    what: "a right-to-left override",
    value: "Ada\u202egpj.exe",
    reason: "contains a bidirectional control character (U+202E)",
  },
  { what: "a bidi isolate", value: "\u2066Ada", reason: "contains a bidirectional control character (U+2066)" },
  { what: "a right-to-left mark", value: "Ada\u200f", reason: "contains a bidirectional control character (U+200F)" },
];

/** One case per hostile value in `field`: its name, the value, and the message the 400 must start with. */
export const hostileTextIn = (field: string, values: readonly HostileText[] = UNREADABLE_TEXT) =>
  values.map(({ what, value, reason }) => ({ name: `${field} with ${what}`, value, message: `${field}: ${reason}` }));
