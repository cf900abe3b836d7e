import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Db } from './db.ts';

export const migrationsDir = fileURLToPath(new URL('../../migrations/', import.meta.url));

/** Any stable 64-bit number works; every Kassa process uses this one to serialize migrations. */
const migrationLockId = 7_305_246_019_881n;

export interface MigrationReport {
  readonly applied: string[];
  readonly alreadyApplied: number;
}

/**
 * Applies forward-only SQL migrations in name order, each in its own transaction, under an
 * advisory lock so that many processes starting at once apply each migration exactly once. An
 * applied migration whose file has since changed stops start-up: migrations are never edited.
 */
export async function migrate(db: Db, dir: string = migrationsDir): Promise<MigrationReport> {
  const client = await db.pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [migrationLockId.toString()]);
    await client.query(`create table if not exists schema_migrations (
      name text primary key,
      sha256 text not null,
      applied_at timestamptz not null default now())`);
    const done = new Map(
      (
        await client.query<{ name: string; sha256: string }>(
          'select name, sha256 from schema_migrations',
        )
      ).rows.map((row) => [row.name, row.sha256]),
    );
    const files = (await readdir(dir)).filter((name) => name.endsWith('.sql')).sort();
    const applied: string[] = [];
    for (const name of files) {
      const sql = await readFile(`${dir}/${name}`, 'utf8');
      const sha256 = createHash('sha256').update(sql).digest('hex');
      const previous = done.get(name);
      if (previous !== undefined) {
        if (previous !== sha256) {
          throw new Error(`migration ${name} was changed after it was applied; add a new one`);
        }
        continue;
      }
      await client.query('begin');
      try {
        await client.query(sql);
        await client.query('insert into schema_migrations (name, sha256) values ($1, $2)', [
          name,
          sha256,
        ]);
        await client.query('commit');
      } catch (error) {
        await client.query('rollback');
        throw new Error(`migration ${name} failed: ${(error as Error).message}`, { cause: error });
      }
      applied.push(name);
    }
    return { applied, alreadyApplied: done.size };
  } finally {
    await client
      .query('select pg_advisory_unlock($1)', [migrationLockId.toString()])
      .catch(() => undefined);
    client.release();
  }
}
