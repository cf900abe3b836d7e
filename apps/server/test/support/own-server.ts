import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A server of the test's own (one of the machine's binaries: redis-server, nats-server) on a
 * random port, so the test can kill it and bring it back without touching shared services.
 */
export interface OwnServer {
  readonly port: number;
  /** SIGKILL, and wait for the process to be gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port (and the same data, where it keeps any). */
  restart(): Promise<void>;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startOwnServer(
  command: string,
  args: (port: number) => string[],
  /** Added to the test's environment (nats-server reads its users' passwords from it). */
  options: { readonly env?: Readonly<Record<string, string>> } = {},
): Promise<OwnServer> {
  // Below the ephemeral range (Linux: 32768-60999), which the tests' own client sockets take
  // their local ports from: a port there can be in use by a connection, and a restart that
  // finds it taken fails with "address already in use".
  const port = 20_000 + Math.floor(Math.random() * 12_000);
  let child: ChildProcess | undefined;
  async function start() {
    let output = '';
    const started = spawn(command, args(port), {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...options.env },
    });
    child = started;
    // Its last words, for the error when it does not start (it logs to stderr).
    started.stderr?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-2_000);
    });
    for (let i = 0; !(await listening(port)); i += 1) {
      if (i > 100 || started.exitCode !== null)
        throw new Error(`${command} did not start on port ${port}: ${output}`);
      await sleep(100);
    }
  }
  async function kill() {
    const running = child;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  }
  await start();
  return { port, kill, restart: start };
}
