import type postgres from "postgres";

/**
 * The classic bulk-load move: drop a table's secondary indexes and constraints, load, then rebuild them from the
 * definitions read out of the catalog before the drop. Building an index once by sorting is far cheaper than a
 * million random insertions into it (and a million foreign-key checks), and the rebuilt schema is exactly the
 * migrated one: `deferIndexes` checks that and throws otherwise.
 */
interface Definitions {
  readonly constraints: ReadonlyArray<{ table: string; name: string; type: string; definition: string }>;
  readonly indexes: ReadonlyArray<{ name: string; definition: string }>;
}

const readDefinitions = async (sql: postgres.Sql, tables: readonly string[]): Promise<Definitions> => {
  const constraints = await sql<{ table: string; name: string; type: string; definition: string }[]>`
    select c.conrelid::regclass::text as table, c.conname as name, c.contype as type,
      pg_get_constraintdef(c.oid) as definition
    from pg_constraint c where c.conrelid = any(${tables}::regclass[]) and c.contype in ('p', 'u', 'f')
    order by c.conname`;
  const indexes = await sql<{ name: string; definition: string }[]>`
    select i.indexname as name, i.indexdef as definition from pg_indexes i
    where i.schemaname = 'public' and i.tablename = any(${tables})
      and not exists (select 1 from pg_constraint c where c.conname = i.indexname)
    order by i.indexname`;
  return { constraints, indexes };
};

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Runs `load` with the indexes, unique keys and foreign keys of `tables` dropped, then rebuilds them. */
export const deferIndexes = async (
  sql: postgres.Sql,
  tables: readonly string[],
  load: () => Promise<void>,
): Promise<void> => {
  const before = await readDefinitions(sql, tables);
  // Foreign keys first: a primary key cannot go while a foreign key leans on it.
  const byDropOrder = [...before.constraints].sort((a, b) => Number(b.type === "f") - Number(a.type === "f"));
  for (const constraint of byDropOrder) {
    await sql.unsafe(`alter table ${constraint.table} drop constraint ${quote(constraint.name)}`);
  }
  for (const index of before.indexes) await sql.unsafe(`drop index ${quote(index.name)}`);

  await load();

  await sql`set maintenance_work_mem = '512MB'`;
  for (const index of before.indexes) await sql.unsafe(index.definition);
  for (const constraint of [...byDropOrder].reverse()) {
    await sql.unsafe(
      `alter table ${constraint.table} add constraint ${quote(constraint.name)} ${constraint.definition}`,
    );
  }
  await sql`reset maintenance_work_mem`;
  const after = await readDefinitions(sql, tables);
  if (JSON.stringify(after) !== JSON.stringify(before)) {
    throw new Error(`the rebuilt schema differs from the migrated one:\n${JSON.stringify({ before, after })}`);
  }
};
