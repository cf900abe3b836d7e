import { ChangePasswordBody } from '@kassa/contracts';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../../platform/request-context.ts';
import type { Clock } from '../../kernel/clock.ts';
import { KassaError } from '../../kernel/errors.ts';
import type { Db } from '../../platform/db.ts';
import { appendAudit, selfAction, recordAudit } from '../audit/index.ts';
import { appendPublicEvents } from '../events/index.ts';
import { attemptSucceeded, passwordSubjects, reserveAttempt } from './lockout.ts';
import { revokeSessionFamily, revokeUserSessions } from './sessions.ts';
import { isKnownAddress } from './known-addresses.ts';
import { rejectAttempt } from './reject-attempt.ts';
import { securityEvent } from './security-events.ts';
import { checkCredentials, getUser, preparePasswordHash } from './users.ts';

export interface SessionRevocationRouteDeps {
  readonly db: Db;
  readonly clock: Clock;
  /**
   * Called for every session family a log-out or password change revokes, so this process
   * refuses the family's access tokens at once.
   */
  readonly onFamilyRevoked: (familyId: string) => void;
}

/**
 * The signed-in user's routes that end sessions: a password change revokes every session of the
 * user (the current password is checked under the log-in lockout), log-out the current one.
 */
export function sessionRevocationRoutes(deps: SessionRevocationRouteDeps) {
  const { db, clock } = deps;

  return async function plugin(root: FastifyInstance): Promise<void> {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['identity'];

    app.post(
      '/v1/me/password',
      {
        config: { rateLimit: 'auth' },
        schema: {
          tags,
          summary: 'Change the password: every session of the user is revoked',
          body: ChangePasswordBody,
        },
      },
      async (request) => {
        const principal = requireUser(request);
        const user = await getUser(db.pool, principal.userId);
        if (user === null) throw new KassaError('authentication_required');
        const attemptedAt = clock.now();
        const reservation = await reserveAttempt(
          db.pool,
          passwordSubjects(
            user.email,
            request.ip,
            await isKnownAddress(db.pool, user.email, request.ip, attemptedAt),
          ),
          attemptedAt,
        );
        if ((await checkCredentials(db, user.email, request.body.current_password)) === null) {
          return rejectAttempt(
            deps,
            reservation,
            'password.change',
            request.ip,
            { userId: user.id, email: user.email },
            'invalid_credentials',
          );
        }
        await attemptSucceeded(db.pool, reservation, clock.now());
        const passwordHash = await preparePasswordHash(request.body.new_password);
        const now = clock.now();
        const families = await db.transaction(async (client) => {
          await client.query('update users set password_hash = $2 where id = $1', [
            user.id,
            passwordHash,
          ]);
          const revoked = await revokeUserSessions(client, user.id, null, now);
          await appendAudit(client, selfAction(user.id, 'password.changed', request.ip), now);
          await appendPublicEvents(client, [securityEvent('password.changed', user.id)]);
          return revoked;
        });
        for (const family of families) deps.onFamilyRevoked(family);
        return { changed: true, sessions_revoked: families.length };
      },
    );

    app.delete(
      '/v1/sessions/current',
      { schema: { tags, summary: 'Log out: revokes the session and its access tokens' } },
      async (request, reply) => {
        const user = requireUser(request);
        const now = clock.now();
        await revokeSessionFamily(db, user.sessionFamilyId, now);
        deps.onFamilyRevoked(user.sessionFamilyId);
        await recordAudit(
          db,
          {
            actor: `user:${user.userId}`,
            action: 'logout',
            object: `user:${user.userId}`,
            outcome: 'success',
            ip: request.ip,
          },
          now,
        );
        return reply.code(204).send();
      },
    );
  };
}
