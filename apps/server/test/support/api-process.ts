import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ServerProcess {
  readonly url: string;
  readonly child: ChildProcess;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const root = join(import.meta.dirname, '..', '..', '..', '..');

/** Spawns one of the server's entry points and waits for the line that says it is up. */
async function spawnUntil(
  entry: string,
  ready: RegExp,
  env: Record<string, string>,
): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: root,
    env: {
      ...process.env,
      PORT: '0',
      LOG_LEVEL: 'warn',
      // Each process anchors its journal head in a file of its own, never the repository's .kassa.
      KASSA_WEB_APP: 'false',
      KASSA_JOURNAL_ANCHOR_FILE: join(tmpdir(), `kassa-anchors-${randomUUID()}.jsonl`),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    let up = false;
    const timer = setTimeout(() => reject(new Error(`${entry} did not start: ${stderr}`)), 30_000);
    // Keeps reading after start-up (a full pipe would stall the child), without keeping it.
    child.stdout?.on('data', (chunk: Buffer) => {
      if (up) return;
      buffered += chunk.toString();
      const match = ready.exec(buffered);
      if (match !== null) {
        up = true;
        clearTimeout(timer);
        buffered = '';
        resolve(match[1] ?? '');
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited with ${code}: ${stderr}`));
    });
  });
  return {
    url,
    child,
    kill: (signal = 'SIGTERM') =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}

/** Starts the real API process (`main/api.ts`) on a free port and waits until it listens. */
export function startApiProcess(env: Record<string, string>): Promise<ServerProcess> {
  return spawnUntil(
    'apps/server/src/main/api.ts',
    /kassa-api listening at (https?:\/\/127\.0\.0\.1:\d+)/,
    env,
  );
}

/** Starts the real worker process (`main/worker-process.ts`) and waits until its jobs run. */
export function startWorkerProcess(env: Record<string, string>): Promise<ServerProcess> {
  return spawnUntil('apps/server/src/main/worker-process.ts', /"msg":"worker started"/, {
    LOG_LEVEL: 'info',
    ...env,
  });
}
