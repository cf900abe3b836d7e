import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { isRoot, postgresOwner } from '../platform/pg-cluster.ts';

/**
 * A process the cluster supervisor keeps running, as a service manager would: restarted when it
 * dies (1 s, doubling to 10 s while it keeps dying), stopped on request with SIGTERM and, after
 * a grace period, SIGKILL. Output goes to its log file.
 */
export interface ManagedSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly logFile: string;
  readonly cwd: string;
  /** PostgreSQL (and so Patroni) refuses root: run as the postgres OS user. */
  readonly asPostgres?: boolean;
  /** Seconds SIGTERM gets before SIGKILL. */
  readonly graceSeconds?: number;
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: () => number | null;
  readonly restarts: () => number;
  start(): Promise<void>;
  /** Stops it for good (no restart). */
  stop(): Promise<void>;
  /** Called after each exit, wanted or not. */
  onExit(listener: (code: number | null, signal: string | null) => void): void;
}

export function managedProcess(spec: ManagedSpec): ManagedProcess {
  let child: ChildProcess | null = null;
  let wanted = false;
  let restarts = 0;
  let backoffMs = 1_000;
  let startedAt = 0;
  const listeners: ((code: number | null, signal: string | null) => void)[] = [];

  async function launch(): Promise<void> {
    const log = openSync(spec.logFile, 'a');
    let command = spec.command;
    let args = [...spec.args];
    if (spec.asPostgres === true && isRoot) {
      const { uid, gid } = await postgresOwner();
      command = 'setpriv';
      args = [`--reuid=${uid}`, `--regid=${gid}`, '--init-groups', spec.command, ...args];
    }
    const started = spawn(command, args, {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    child = started;
    startedAt = performance.now();
    started.once('exit', (code, signal) => {
      if (child === started) child = null;
      for (const listener of listeners) listener(code, signal);
      if (!wanted) return;
      // Up for a minute: it was not crash-looping, start again quickly.
      if (performance.now() - startedAt > 60_000) backoffMs = 1_000;
      const delay = backoffMs;
      backoffMs = Math.min(backoffMs * 2, 10_000);
      restarts += 1;
      setTimeout(() => {
        if (wanted && child === null) void launch();
      }, delay).unref();
    });
  }

  return {
    name: spec.name,
    pid: () => child?.pid ?? null,
    restarts: () => restarts,
    async start() {
      wanted = true;
      if (child === null) await launch();
    },
    async stop() {
      wanted = false;
      const running = child;
      if (running === null || running.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      running.kill('SIGTERM');
      const timedOut = await Promise.race([
        exited.then(() => false),
        sleep((spec.graceSeconds ?? 15) * 1_000).then(() => true),
      ]);
      if (timedOut) {
        running.kill('SIGKILL');
        await exited;
      }
    },
    onExit(listener) {
      listeners.push(listener);
    },
  };
}

/** Polls until `probe` says yes; throws naming `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** The HTTP status of a GET (0: no answer within a second). */
export async function httpStatus(
  url: string,
  headers: Record<string, string> = {},
): Promise<number> {
  try {
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(1_000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}
