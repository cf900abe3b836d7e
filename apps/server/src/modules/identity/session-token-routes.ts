import { Type } from '@sinclair/typebox';
import {
  answers,
  LogInBody,
  RefreshBody,
  SessionTokens,
  TwoFactorChallenge,
  TwoFactorLogInBody,
} from '@kassa/contracts';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sentIdempotencyKey } from '../../platform/request-context.ts';
import type { Clock } from '../../kernel/clock.ts';
import { KassaError } from '../../kernel/errors.ts';
import { decodeId, newUuid } from '../../kernel/ids.ts';
import type { Db } from '../../platform/db.ts';
import { appendAudit, selfAction } from '../audit/index.ts';
import {
  attemptSucceeded,
  passwordSubjects,
  reserveAttempt,
  secondFactorSubjects,
} from './lockout.ts';
import { verifyDeviceSignature } from './devices.ts';
import { refreshSession, type SessionSettings } from './sessions.ts';
import { issueSession } from './session-issue.ts';
import { isKnownAddress } from './known-addresses.ts';
import { checkSecondFactor, twoFactorEnabled, type FactorSecrets } from './two-factor.ts';
import { rejectAttempt } from './reject-attempt.ts';
import { getUser, checkCredentials } from './users.ts';

export interface SessionTokenRouteDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly sessions: SessionSettings;
  readonly factors: FactorSecrets;
  /**
   * Called when a refresh reveals a stolen token (reused, or a device-bound one unsigned) and
   * its family dies, so this process refuses the family's access tokens at once.
   */
  readonly onFamilyRevoked: (familyId: string) => void;
}

const challengeTtlMs = 5 * 60_000;

/**
 * The public routes that answer with session tokens: log-in (password, then a TOTP or recovery
 * code when 2FA is on) and refresh. A session opened on the caller's enrolled device is bound to
 * it, and its refresh must be signed by that device.
 */
export function sessionTokenRoutes(deps: SessionTokenRouteDeps) {
  const { db, clock } = deps;

  const issue = (reply: FastifyReply, request: FastifyRequest, userId: string, action: string) =>
    issueSession(deps, reply, request, userId, action);

  /** Whether the request is signed by this device of this user (a refresh of a bound session). */
  async function signedByDevice(
    request: FastifyRequest,
    userId: string,
    deviceId: string,
  ): Promise<boolean> {
    const header = (name: string) => {
      const value = request.headers[name];
      return typeof value === 'string' ? value : '';
    };
    if (decodeId('dev', header('kassa-device')) !== deviceId) return false;
    try {
      await verifyDeviceSignature(db, clock, deps.factors.lookupKey, {
        userId,
        deviceWireId: header('kassa-device'),
        signatureHeader: header('kassa-signature'),
        method: request.method,
        path: request.url,
        body: request.rawBody ?? '',
        idempotencyKey: sentIdempotencyKey(request),
      });
      return true;
    } catch {
      return false;
    }
  }

  return async function plugin(root: FastifyInstance): Promise<void> {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['identity'];

    app.post(
      '/v1/sessions',
      {
        config: { public: true, rateLimit: 'auth' },
        schema: {
          tags,
          summary: 'Log in (answers with a 2FA challenge when 2FA is on)',
          body: LogInBody,
          security: [],
          response: answers(Type.Union([SessionTokens, TwoFactorChallenge])),
        },
      },
      async (request, reply) => {
        const { email, password } = request.body;
        const now = clock.now();
        const reservation = await reserveAttempt(
          db.pool,
          passwordSubjects(
            email,
            request.ip,
            await isKnownAddress(db.pool, email, request.ip, now),
          ),
          now,
        );
        const user = await checkCredentials(db, email, password);
        if (user === null)
          return rejectAttempt(
            deps,
            reservation,
            'login',
            request.ip,
            { userId: null, email },
            'invalid_credentials',
          );
        await attemptSucceeded(db.pool, reservation, clock.now());
        if (await twoFactorEnabled(db.pool, user.id)) {
          const challengeId = newUuid();
          await db.query(
            'insert into login_challenges (id, user_id, expires_at) values ($1, $2, $3)',
            [challengeId, user.id, new Date(clock.now().getTime() + challengeTtlMs).toISOString()],
          );
          return reply.code(200).send({
            requires_2fa: true,
            challenge_id: `chl_${challengeId}`,
            expires_in: challengeTtlMs / 1000,
          });
        }
        return issue(reply, request, user.id, 'login');
      },
    );

    app.post(
      '/v1/sessions/2fa',
      {
        config: { public: true, rateLimit: 'auth' },
        schema: {
          tags,
          summary: 'Complete a 2FA log-in with a TOTP or recovery code',
          body: TwoFactorLogInBody,
          security: [],
          response: answers(SessionTokens),
        },
      },
      async (request, reply) => {
        const now = clock.now();
        const challengeId = request.body.challenge_id.startsWith('chl_')
          ? request.body.challenge_id.slice(4)
          : '';
        if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(challengeId))
          throw new KassaError('invalid_challenge');
        const rows = await db.query<{ user_id: string }>(
          'select user_id from login_challenges where id = $1 and used_at is null and expires_at > $2',
          [challengeId, now.toISOString()],
        );
        const userId = rows[0]?.user_id;
        const user = userId === undefined ? null : await getUser(db.pool, userId);
        if (user === null) throw new KassaError('invalid_challenge');
        const reservation = await reserveAttempt(db.pool, secondFactorSubjects(user.id), now);
        const accepted = await db.transaction(async (client) => {
          const method = await checkSecondFactor(
            client,
            deps.factors,
            user.id,
            request.body.code,
            now,
            { allowRecovery: true, status: 'enabled' },
          );
          if (method === null) return null;
          const used = await client.query(
            'update login_challenges set used_at = $2 where id = $1 and used_at is null',
            [challengeId, now.toISOString()],
          );
          if (used.rowCount !== 1) return null;
          if (method === 'recovery')
            await appendAudit(
              client,
              selfAction(user.id, '2fa.recovery_code_used', request.ip),
              now,
            );
          return method;
        });
        if (accepted === null)
          return rejectAttempt(
            deps,
            reservation,
            'login.2fa',
            request.ip,
            { userId: user.id, email: user.email },
            'invalid_2fa_code',
          );
        await attemptSucceeded(db.pool, reservation, now);
        return issue(reply, request, user.id, 'login.2fa');
      },
    );

    app.post(
      '/v1/sessions/refresh',
      {
        config: { public: true, rateLimit: 'auth' },
        schema: {
          tags,
          summary: 'Rotate a refresh token (reuse revokes the whole session)',
          body: RefreshBody,
          security: [],
          response: answers(SessionTokens),
        },
      },
      async (request, reply) => {
        return reply
          .code(201)
          .send(
            await refreshSession(
              db,
              deps.sessions,
              request.body.refresh_token,
              clock.now(),
              (userId, deviceId) => signedByDevice(request, userId, deviceId),
              deps.onFamilyRevoked,
            ),
          );
      },
    );
  };
}
