import type { DbClient } from '../../platform/db.ts';

/**
 * Rows that the commands of one batch write after the ledger decided, gathered so that each kind
 * of row costs one statement per batch instead of one per command. A statement is registered
 * with its SQL (taking one array parameter per column, usually through `unnest`) and every
 * command adds rows to it; `flush` sends each statement once with the rows transposed.
 */
export class BatchEffects {
  private readonly statements = new Map<string, unknown[][]>();

  add(sql: string, row: readonly unknown[]): void {
    let rows = this.statements.get(sql);
    if (rows === undefined) {
      rows = [];
      this.statements.set(sql, rows);
    }
    rows.push([...row]);
  }

  async flush(client: DbClient): Promise<void> {
    for (const [sql, rows] of this.statements) {
      const columns = (rows[0] ?? []).map((_, c) => rows.map((row) => row[c]));
      await client.query(sql, columns);
    }
    this.statements.clear();
  }
}
