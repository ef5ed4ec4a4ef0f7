import { defineConfig } from "drizzle-kit";

// `npm run db:generate` writes a new SQL migration here after a change to schema.ts. Commit it.
export default defineConfig({
  dialect: "postgresql",
  schema: "./adapters/postgres/scheduling/schema.ts",
  out: "./adapters/postgres/scheduling/migrations",
});
