import { createHash } from 'node:crypto';
import { unnestParams, type DbClient, type Queryable } from './db.ts';

/**
 * One kind of row a batch writes: its statement, taking one array parameter per column (through
 * `unnest`), and how a typed row becomes those columns. A module keeps its statements private
 * and offers functions that add rows (`addJournalEvents`, `addPaymentRow`…), so no SQL string
 * crosses a module's `index.ts`.
 */
export interface BatchStatement<Row> {
  readonly sql: string;
  readonly columns: (row: Row) => readonly unknown[];
}

export function batchStatement<Row>(
  sql: string,
  columns: (row: Row) => readonly unknown[],
): BatchStatement<Row> {
  return { sql, columns };
}

/**
 * The writes of one batch, gathered so that the whole batch reaches PostgreSQL as one statement,
 * and the batch's one time (`now`, from the writer's clock): every timestamp a batch writes is
 * this one, not each statement's SQL `now()`. `flush` transposes the rows and sends all
 * statements together as data-modifying CTEs of a single statement: they see the same snapshot
 * and foreign keys are checked at the end of the statement, so no statement may read another's
 * rows (none does).
 */
export class BatchEffects {
  private readonly statements = new Map<string, unknown[][]>();

  constructor(readonly now: Date) {}

  add<Row>(statement: BatchStatement<Row>, row: Row): void {
    let rows = this.statements.get(statement.sql);
    if (rows === undefined) {
      rows = [];
      this.statements.set(statement.sql, rows);
    }
    rows.push([...statement.columns(row)]);
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

  /** Runs one statement's rows now, outside a batch (a caller with its own transaction). */
  static async run<Row>(
    client: Queryable,
    statement: BatchStatement<Row>,
    rows: readonly Row[],
  ): Promise<void> {
    if (rows.length === 0) return;
    await client.query(statement.sql, unnestParams(rows.map((r) => [...statement.columns(r)])));
  }
}
