import { execFileSync } from 'node:child_process';
import { childEnvironment } from '../../config/config.ts';
import { run } from '../../platform/pg-cluster.ts';

/**
 * The pgBackRest command line (Debian's `pgbackrest`), run as the postgres OS user: it reads
 * the cluster's files and writes the repositories. Secrets travel in its config file (0600) and
 * the database password in PGPASSWORD, never on a command line.
 */
export interface PgBackRest {
  readonly configFile: string;
  readonly stanza: string;
  command(args: readonly string[], options?: CommandOptions): Promise<string>;
  info(repo?: number): Promise<BackupInfo>;
}

export interface CommandOptions {
  readonly timeoutMs?: number;
  /** Runs at the lowest CPU and I/O priority (backups; never restores). */
  readonly background?: boolean;
}

export interface BackupSet {
  readonly label: string;
  readonly type: 'full' | 'diff' | 'incr';
  readonly repo: number;
  readonly startedAt: Date;
  readonly stoppedAt: Date;
  /** Database size the backup represents, and what it stored in the repository. */
  readonly sizeBytes: number;
  readonly repoSizeBytes: number;
  /** The backup's WAL range (the restore needs this and everything archived after). */
  readonly walStart: string;
  readonly walStop: string;
}

export interface RepoStatus {
  readonly repo: number;
  /** pgBackRest's: 0 ok, 1 missing stanza path, 2 no valid backups, 3 missing stanza data, … 99 other. */
  readonly code: number;
  readonly message: string;
}

export interface BackupInfo {
  readonly status: string;
  readonly repos: readonly RepoStatus[];
  readonly backups: readonly BackupSet[];
  /** The newest WAL segment archived (null: none yet). */
  readonly archivedWalMax: string | null;
}

export function pgbackrestInstalled(): boolean {
  try {
    execFileSync('pgbackrest', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface InfoJson {
  status?: { message?: string };
  repo?: { key: number; status: { code: number; message: string } }[];
  backup?: {
    label: string;
    type: 'full' | 'diff' | 'incr';
    timestamp: { start: number; stop: number };
    archive: { start: string; stop: string };
    info: { size: number; repository: { delta?: number; size?: number } };
    database: { 'repo-key': number };
  }[];
  archive?: { max?: string | null; database: { 'repo-key': number } }[];
}

export function parseInfo(text: string): BackupInfo {
  // A repository read with the wrong key yields binary junk inside error messages: raw control
  // characters JSON does not allow in strings. Outside strings they are only whitespace.
  const [stanza] = JSON.parse(text.replace(/\p{Cc}/gu, ' ')) as InfoJson[];
  const archives = stanza?.archive ?? [];
  const newest = archives
    .map((a) => a.max ?? null)
    .filter((max): max is string => max !== null)
    .sort()
    .at(-1);
  return {
    status: stanza?.status?.message ?? 'unknown',
    repos: (stanza?.repo ?? []).map((r) => ({
      repo: r.key,
      code: r.status.code,
      message: r.status.message,
    })),
    archivedWalMax: newest ?? null,
    backups: (stanza?.backup ?? []).map((b) => ({
      label: b.label,
      type: b.type,
      repo: b.database['repo-key'],
      startedAt: new Date(b.timestamp.start * 1000),
      stoppedAt: new Date(b.timestamp.stop * 1000),
      sizeBytes: b.info.size,
      repoSizeBytes: b.info.repository.delta ?? b.info.repository.size ?? 0,
      walStart: b.archive.start,
      walStop: b.archive.stop,
    })),
  };
}

export function createPgBackRest(options: {
  configFile: string;
  stanza: string;
  /** The superuser's password (the server asks for it on the socket). */
  pgPassword: string | null;
}): PgBackRest {
  const env = {
    ...childEnvironment(),
    ...(options.pgPassword === null ? {} : { PGPASSWORD: options.pgPassword }),
  };
  async function command(args: readonly string[], opts: CommandOptions = {}) {
    const argv = [`--config=${options.configFile}`, `--stanza=${options.stanza}`, ...args];
    // A backup shares the machine with the database and the API: it takes what CPU and disk
    // they leave (lowest CPU priority, idle I/O class), so payments barely notice it.
    const [program, programArgs] =
      opts.background === true
        ? ['nice', ['-n', '19', 'ionice', '-c', '3', 'pgbackrest', ...argv]]
        : ['pgbackrest', argv];
    const { stdout } = await run(program, programArgs, {
      env,
      timeout: opts.timeoutMs ?? 6 * 3_600_000,
    });
    return stdout;
  }
  return {
    configFile: options.configFile,
    stanza: options.stanza,
    command,
    async info(repo) {
      return parseInfo(
        await command(['info', '--output=json', ...(repo === undefined ? [] : [`--repo=${repo}`])]),
      );
    },
  };
}
