/**
 * The drizzle schema, one module per context so each can change without touching the others.
 * drizzle-kit reads this file to generate the SQL migrations committed in ./migrations.
 */
export {};
