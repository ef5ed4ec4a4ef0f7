/**
 * The drizzle schema, one module per context so each can change (and migrate) without touching the others.
 * Table names are unique across contexts: both live in the same database.
 */
export * from "./matching/schema.ts";
export * from "./scheduling/schema.ts";
