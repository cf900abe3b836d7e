import { execFile, type ExecFileOptions } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { chmod, chown, mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

/**
 * A PostgreSQL cluster this process starts and stops itself from a folder of server binaries
 * (`initdb`, `pg_ctl`, `postgres`): a restored copy beside the live one, a drill's scratch
 * cluster. PostgreSQL refuses to run as root, so as root every command runs as the `postgres`
 * OS user (which must exist), and the folders it writes are handed to it.
 */
export interface ClusterOptions {
  /** Where `pg_ctl` and `postgres` are. */
  readonly binDir: string;
  readonly dataDir: string;
  readonly port: number;
  /** The Unix socket folder (pgBackRest reaches the server through it). */
  readonly socketDir: string;
  /** Extra `-c name=value` settings. */
  readonly settings?: Readonly<Record<string, string>>;
  readonly logFile: string;
}

export const isRoot = process.getuid?.() === 0;

/** Runs a program (as the postgres OS user when root); rejects with its stderr. */
export function run(
  program: string,
  args: readonly string[],
  options: ExecFileOptions & { env?: NodeJS.ProcessEnv } = {},
): Promise<{ stdout: string; stderr: string }> {
  const [command, argv] = isRoot
    ? ['runuser', ['-u', 'postgres', '--', program, ...args]]
    : [program, [...args]];
  return new Promise((resolve, reject) => {
    execFile(
      command,
      argv,
      { maxBuffer: 64 * 1024 * 1024, ...options },
      (error, stdout, stderr) => {
        const out = { stdout: String(stdout), stderr: String(stderr) };
        if (error === null) return resolve(out);
        reject(
          Object.assign(new Error(out.stderr.trim() || error.message), { ...out, cause: error }),
        );
      },
    );
  });
}

/** Creates folders owned by the postgres OS user (when root), so the server can write them. */
export async function ownedFolder(path: string): Promise<void> {
  // Parents readable by all (the postgres user must pass through them), the folder private.
  await mkdir(dirname(path), { recursive: true });
  await mkdir(path, { recursive: true, mode: 0o700 });
  if (isRoot) {
    const { uid, gid } = await postgresOwner();
    await chown(path, uid, gid);
  }
}

/** Writes a file only its owner reads: the postgres OS user's, when root (configs, keys). */
export async function ownedSecretFile(path: string, text: string): Promise<void> {
  await writeFile(path, text, { mode: 0o600 });
  await chmod(path, 0o600);
  if (isRoot) {
    const { uid, gid } = await postgresOwner();
    await chown(path, uid, gid);
  }
}

let postgresIds: { uid: number; gid: number } | undefined;
export async function postgresOwner(): Promise<{ uid: number; gid: number }> {
  if (postgresIds !== undefined) return postgresIds;
  const [uid, gid] = await Promise.all(
    ['-u', '-g'].map(async (flag) => Number((await runAsRoot('id', [flag, 'postgres'])).trim())),
  );
  postgresIds = { uid: uid ?? 0, gid: gid ?? 0 };
  return postgresIds;
}

function runAsRoot(program: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(program, [...args], (error, stdout) =>
      error === null ? resolve(String(stdout)) : reject(new Error(error.message)),
    );
  });
}

/** True when nothing listens on the port (on 127.0.0.1). */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A Unix socket folder for a cluster: `<data folder>/run` (`<data folder>.run` for a restored
 * cluster's data folder itself), or a short folder under the system's temporary folder when
 * that path is too long for a socket name (107 bytes on Linux).
 */
export function socketFolder(dataDir: string, port: number, beside = false): string {
  const preferred = beside ? `${dataDir}.run` : join(dataDir, 'run');
  if (`${preferred}/.s.PGSQL.${port}`.length < 100) return preferred;
  const tag = createHash('sha256').update(preferred).digest('hex').slice(0, 12);
  return join(tmpdir(), `kassa-${tag}`);
}

/** A port nothing listens on now (on 127.0.0.1). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts the cluster in `dataDir` and waits until it accepts connections. */
export async function startCluster(options: ClusterOptions): Promise<void> {
  await ownedFolder(options.socketDir);
  const settings = {
    port: String(options.port),
    listen_addresses: '127.0.0.1',
    unix_socket_directories: options.socketDir,
    ...options.settings,
  };
  const flags = Object.entries(settings)
    .map(([name, value]) => `-c ${name}=${quoteSetting(value)}`)
    .join(' ');
  await run(join(options.binDir, 'pg_ctl'), [
    '-D',
    options.dataDir,
    '-l',
    options.logFile,
    '-o',
    flags,
    '-w',
    '-t',
    '120',
    'start',
  ]);
}

/** Stops the cluster (fast shutdown: running transactions are rolled back). */
export async function stopCluster(binDir: string, dataDir: string): Promise<void> {
  if (!existsSync(join(dataDir, 'postmaster.pid'))) return;
  await run(join(binDir, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
}

/** Waits until the server at `url` has finished recovery (a restore is done replaying WAL). */
export async function waitForPrimary(url: string, timeoutMs = 300_000): Promise<void> {
  const started = performance.now();
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      const rows = await client.query<{ recovering: boolean }>(
        'select pg_is_in_recovery() as recovering',
      );
      if (rows.rows[0]?.recovering === false) return;
    } catch {
      // Not up yet: starting, or still replaying.
    } finally {
      await client.end().catch(() => undefined);
    }
    if (performance.now() - started > timeoutMs)
      throw new Error(`the server at port ${new URL(url).port} did not finish recovery in time`);
    await sleep(100);
  }
}

/**
 * A value for `postgres -c name=value` inside pg_ctl's `-o`, which a shell reads: single-quoted
 * when it has spaces (settings here never hold a quote of their own).
 */
function quoteSetting(value: string): string {
  if (value.includes("'")) throw new Error(`a server setting may not contain a quote: ${value}`);
  return /^[A-Za-z0-9_./:-]+$/.test(value) ? value : `'${value}'`;
}
