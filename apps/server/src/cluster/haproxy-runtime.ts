import { createConnection } from 'node:net';

/**
 * HAProxy's runtime API on its admin socket: how the supervisor puts API processes in and out
 * of the load balancer without a reload.
 */
export function haproxyCommand(socket: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const connection = createConnection(socket);
    let out = '';
    connection.setTimeout(5_000, () =>
      connection.destroy(new Error(`HAProxy: ${command}: timeout`)),
    );
    connection.on('connect', () => connection.end(`${command}\n`));
    connection.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    connection.on('error', reject);
    connection.on('close', () => resolve(out.trim()));
  });
}

/** Points API slot `n` at its port and lets it take traffic once its health check passes. */
export async function enableApiSlot(socket: string, slot: number, port: number): Promise<void> {
  await expectEmpty(
    socket,
    `set server api/api${slot} addr 127.0.0.1 port ${port}`,
    /changed|no need/i,
  );
  await expectEmpty(socket, `set server api/api${slot} state ready`);
}

/** No new requests for slot `n`; those in flight finish. */
export async function drainApiSlot(socket: string, slot: number): Promise<void> {
  await expectEmpty(socket, `set server api/api${slot} state drain`);
}

export async function disableApiSlot(socket: string, slot: number): Promise<void> {
  await expectEmpty(socket, `set server api/api${slot} state maint`);
}

/** Requests a slot is serving now (current sessions). */
export async function apiSlotSessions(socket: string, slot: number): Promise<number> {
  const csv = await haproxyCommand(socket, 'show stat');
  const lines = csv.split('\n');
  const header = (lines[0] ?? '').replace(/^# /, '').split(',');
  const scur = header.indexOf('scur');
  for (const line of lines.slice(1)) {
    const fields = line.split(',');
    if (fields[0] === 'api' && fields[1] === `api${slot}`) return Number(fields[scur] ?? 0);
  }
  return 0;
}

async function expectEmpty(socket: string, command: string, allowed?: RegExp): Promise<void> {
  const answer = await haproxyCommand(socket, command);
  if (answer !== '' && !(allowed?.test(answer) ?? false))
    throw new Error(`HAProxy refused "${command}": ${answer}`);
}
