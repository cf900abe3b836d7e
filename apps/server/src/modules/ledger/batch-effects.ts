import { createHash } from 'node:crypto';
import { unnestParams, type DbClient } from '../../platform/db.ts';

/**
 * The writes of one batch, gathered so that the whole batch reaches PostgreSQL as one statement.
 * Each kind of row has a statement taking one array parameter per column (through `unnest`);
 * every command adds rows to it. `flush` transposes the rows and sends all statements together
 * as data-modifying CTEs of a single statement: they see the same snapshot and foreign keys are
 * checked at the end of the statement, so no statement may read another's rows (none does).
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

  get size(): number {
    return this.statements.size;
  }

  async flush(client: DbClient): Promise<void> {
    if (this.statements.size === 0) return;
    const parts: string[] = [];
    const params: unknown[] = [];
    // Sorted: the same kinds of rows make the same statement whatever order they came in.
    const statements = [...this.statements].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [sql, rows] of statements) {
      const offset = params.length;
      params.push(...unnestParams(rows));
      parts.push(
        `s${parts.length} as (${sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`)})`,
      );
    }
    this.statements.clear();
    const text = `with ${parts.join(',\n')} select 1`;
    // Prepared once per connection and set of row kinds (a handful): PostgreSQL plans
    // this many-CTE statement once instead of for every batch.
    const name = `kassa_batch_${createHash('sha256').update(text).digest('base64url').slice(0, 22)}`;
    await client.query({ name, text, values: params });
  }
}
