import type { Queryable } from '../../src/platform/db.ts';

/** Every row of every table of the schema, as text (bytea columns as `\x…` hex): leak scans. */
export async function everyTable(q: Queryable): Promise<string> {
  const tables = await q.query<{ table_name: string }>(
    "select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'",
  );
  const parts: string[] = [];
  for (const { table_name: table } of tables.rows) {
    const rows = await q.query<{ row: string }>(
      `select row_to_json(x)::text as row from "${table}" x`,
    );
    parts.push(...rows.rows.map((r) => `${table}: ${r.row}`));
  }
  return parts.join('\n');
}
