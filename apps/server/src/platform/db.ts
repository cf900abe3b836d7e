import pg from 'pg';
import { KassaError } from '../kernel/errors.ts';
import { inChildSpan, noTracer, setActiveSpanAttribute, type Tracer } from './tracing.ts';

/** The advisory lock (two int4 keys) every Kassa transaction holds shared: see migration 0016. */
export const kassaTransactionLock = '1263751233, 1';

// bigint columns (money, balances) arrive as bigint, never as a lossy number or a string.
pg.types.setTypeParser(20, (value) => BigInt(value));

export type DbClient = pg.PoolClient;
export type Queryable = Pick<pg.Pool, 'query'>;

/**
 * Rows turned into one array parameter per column, for the `unnest($1::…[], $2::…[])` statements
 * that write many rows at once.
 */
export function unnestParams(rows: readonly (readonly unknown[])[]): unknown[][] {
  const width = rows[0]?.length ?? 0;
  return Array.from({ length: width }, (_, c) => rows.map((row) => row[c]));
}

/**
 * Takes a transaction-scoped advisory lock on `key` if nobody holds it. Background jobs that any
 * number of workers run (relay, sealing) use it so that one does the work and the others skip.
 */
export async function tryAdvisoryXactLock(client: DbClient, key: string): Promise<boolean> {
  const locked = await client.query<{ ok: boolean }>(
    'select pg_try_advisory_xact_lock(hashtext($1)) as ok',
    [key],
  );
  return locked.rows[0]?.ok === true;
}

export interface Db {
  readonly pool: pg.Pool;
  query<Row extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Runs `work` in one transaction. A COMMIT whose reply is lost has an unknown outcome. */
  transaction<T>(
    work: (client: DbClient) => Promise<T>,
    options?: { readonly snapshot?: 'repeatable read, read only' },
  ): Promise<T>;
  close(): Promise<void>;
}

export interface DbOptions {
  readonly connectionString: string;
  readonly poolSizeMax: number;
  readonly applicationName: string;
  readonly onError?: (error: Error) => void;
  /**
   * Traces `query` calls and whole transactions (not each statement of one) made inside traced
   * work; untraced work (the worker's polling) makes no spans.
   */
  readonly tracer?: Tracer;
}

/**
 * SQLSTATEs that mean "the database is unreachable or going away", not "bad input". 25006: the
 * node is a standby (a failover is under way, or an old primary is coming back): it wrote
 * nothing, so nothing moved.
 */
const unavailableStates = new Set([
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '08000',
  '08003',
  '08006',
  '25006',
]);

export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && unavailableStates.has(code)) return true;
  return /ECONNREFUSED|ECONNRESET|Connection terminated|timeout exceeded when trying to connect/i.test(
    error.message,
  );
}

export function createDb(options: DbOptions): Db {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSizeMax,
    application_name: options.applicationName,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    // A statement may never hang a request forever; lock waits are bounded too.
    options:
      '-c statement_timeout=30000 -c lock_timeout=10000 -c idle_in_transaction_session_timeout=60000',
  });
  pool.on('error', (error) => options.onError?.(error));
  // `pool.end()` resolves before its clients' sockets have closed. Track them so `close()` can
  // wait, and keep a listener on each: a server shutting down right after (the embedded
  // PostgreSQL on Ctrl-C) must not crash the process with an unhandled client error.
  const open = new Set<pg.Client>();
  pool.on('connect', (client) => {
    open.add(client);
    client.on('error', (error) => options.onError?.(error));
    client.on('end', () => open.delete(client));
  });

  const tracer = options.tracer ?? noTracer;

  async function query<Row extends pg.QueryResultRow>(sql: string, params: unknown[] = []) {
    const attributes = () => ({ 'db.query.text': sql.slice(0, 300) });
    return inChildSpan(tracer, 'db.query', attributes, async () => {
      try {
        const result = await pool.query<Row>(sql, params);
        return result.rows;
      } catch (error) {
        throw wrapUnavailable(error);
      }
    });
  }

  function transaction<T>(
    work: (client: DbClient) => Promise<T>,
    options: { readonly snapshot?: 'repeatable read, read only' } = {},
  ): Promise<T> {
    return inChildSpan(
      tracer,
      'db.transaction',
      () => ({}),
      () => runTransaction(work, options),
    );
  }

  async function runTransaction<T>(
    work: (client: DbClient) => Promise<T>,
    options: { readonly snapshot?: 'repeatable read, read only' } = {},
  ): Promise<T> {
    let client: DbClient;
    const waitStartedMs = performance.now();
    try {
      client = await pool.connect();
    } catch (error) {
      throw wrapUnavailable(error);
    }
    setActiveSpanAttribute('db.pool_wait_ms', Math.round(performance.now() - waitStartedMs));
    let released = false;
    try {
      // The shared lock marks this as Kassa's transaction, before it gets an xid: commit-ordered
      // readers then wait for it, and only for it (migration 0016, kassa_commit_horizon).
      const begin =
        options.snapshot === undefined
          ? 'begin'
          : 'begin isolation level repeatable read read only';
      await client.query(`${begin}; select pg_advisory_xact_lock_shared(${kassaTransactionLock})`);
      const result = await work(client);
      try {
        await client.query('commit');
      } catch (error) {
        released = true;
        client.release(error instanceof Error ? error : true);
        // The server may have committed before the connection dropped: outcome unknown.
        throw new KassaError('internal_error', 'commit outcome unknown', {
          cause: error,
          moneyMoved: null,
        });
      }
      return result;
    } catch (error) {
      if (!released) {
        await client.query('rollback').catch(() => undefined);
      }
      throw wrapUnavailable(error);
    } finally {
      if (!released) client.release();
    }
  }

  return {
    pool,
    query,
    transaction,
    async close() {
      await pool.end();
      const deadline = Date.now() + 5_000;
      while (open.size > 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 10));
    },
  };
}

function wrapUnavailable(error: unknown): unknown {
  if (error instanceof KassaError || !isDatabaseUnavailable(error)) return error;
  return new KassaError('service_unavailable', 'database unavailable', { cause: error });
}
