import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../kernel/clock.ts';
import { decodeId } from '../../kernel/ids.ts';
import type { Db } from '../../platform/db.ts';
import { recordAudit } from '../audit/index.ts';
import { rememberAddress } from './known-addresses.ts';
import { openSession, type SessionSettings } from './sessions.ts';

/** The device named in `Kassa-Device` (a dev_ id), unchecked. */
export function deviceHeader(request: FastifyRequest): string | null {
  const header = request.headers['kassa-device'];
  return typeof header === 'string' ? decodeId('dev', header) : null;
}

/** The caller's enrolled device named in `Kassa-Device`, if it is one of this user's. */
export async function callerDevice(
  db: Db,
  request: FastifyRequest,
  userId: string,
): Promise<string | null> {
  const deviceId = deviceHeader(request);
  if (deviceId === null) return null;
  const rows = await db.query('select 1 from devices where id = $1 and user_id = $2', [
    deviceId,
    userId,
  ]);
  return rows.length === 1 ? deviceId : null;
}

/**
 * Opens a session after a successful log-in (bound to the caller's device when it names one of
 * the user's), audits it and remembers the address; answers 201 with the tokens.
 */
export async function issueSession(
  deps: { readonly db: Db; readonly clock: Clock; readonly sessions: SessionSettings },
  reply: FastifyReply,
  request: FastifyRequest,
  userId: string,
  action: string,
) {
  const { db, clock } = deps;
  const now = clock.now();
  const ip = request.ip;
  const tokens = await openSession(
    db,
    deps.sessions,
    userId,
    now,
    await callerDevice(db, request, userId),
  );
  await recordAudit(
    db,
    { actor: `user:${userId}`, action, object: `user:${userId}`, outcome: 'success', ip },
    now,
  );
  if (action.startsWith('login')) await rememberAddress(db.pool, userId, ip, now);
  return reply.code(201).send(tokens);
}
