import type { Db } from './db.ts';
import type { SecretBox } from './secret-box.ts';

/** A column of sealed secrets, named by the module that owns the table. */
export interface SealedColumn {
  readonly table: string;
  /** The table's primary key column. */
  readonly key: string;
  readonly column: string;
  readonly box: SecretBox;
}

/**
 * Re-seals every value of the columns that is not under the current key (sealed under an older
 * key-encryption key, or in the first format under the token secret), in short transactions of
 * `batchSize` rows (`FOR UPDATE SKIP LOCKED`), so it runs online. Returns how many it re-sealed.
 */
export async function resealColumns(
  db: Db,
  columns: readonly SealedColumn[],
  currentVersion: string,
  batchSize = 200,
): Promise<number> {
  let total = 0;
  const version = Buffer.from(currentVersion, 'ascii');
  for (const { table, key, column, box } of columns) {
    for (;;) {
      const moved = await db.transaction(async (client) => {
        const rows = await client.query<{ id: string; sealed: Buffer }>(
          `select ${key} as id, ${column} as sealed from ${table}
            where ${column} is not null
              and (get_byte(${column}, 0) <> 2 or substring(${column} from 3 for get_byte(${column}, 1)) <> $1)
            order by ${key} limit $2 for update skip locked`,
          [version, batchSize],
        );
        for (const row of rows.rows) {
          if (!box.stale(row.sealed)) continue;
          await client.query(`update ${table} set ${column} = $2 where ${key} = $1`, [
            row.id,
            box.seal(box.open(row.sealed)),
          ]);
        }
        return rows.rows.length;
      });
      if (moved === 0) break;
      total += moved;
    }
  }
  return total;
}
