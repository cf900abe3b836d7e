import { Type } from '@sinclair/typebox';
import {
  answers,
  ChangePasswordBody,
  LogInBody,
  RefreshBody,
  SessionTokens,
  TwoFactorChallenge,
  TwoFactorLogInBody,
} from '@kassa/contracts';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireUser } from '../../http/request-context.ts';
import type { Clock } from '../../kernel/clock.ts';
import { KassaError } from '../../kernel/errors.ts';
import { decodeId, encodeId, newUuid } from '../../kernel/ids.ts';
import type { Db } from '../../platform/db.ts';
import { appendAudit, selfAction, recordAudit } from '../audit/index.ts';
import { appendPublicEvents } from '../events/index.ts';
import {
  clearAuthFailures,
  lockoutPolicy,
  lockoutSubject,
  recordAuthFailure,
  refuseIfLocked,
} from './lockout.ts';
import type { SecretBox } from './secret-box.ts';
import {
  openSession,
  refreshSession,
  revokeSessionFamily,
  type SessionSettings,
} from './sessions.ts';
import { checkSecondFactor, twoFactorEnabled } from './two-factor.ts';
import { checkCredentials, getUser, preparePasswordHash } from './users.ts';

export interface SessionRouteDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly sessions: SessionSettings;
  readonly totpBox: SecretBox;
  /** Called on logout so this process refuses the family's access tokens at once. */
  readonly onFamilyRevoked: (familyId: string) => void;
}

const challengeTtlMs = 5 * 60_000;

function deviceHeader(request: FastifyRequest): string | null {
  const header = request.headers['kassa-device'];
  return typeof header === 'string' ? decodeId('dev', header) : null;
}

/**
 * Log-in (password, then a TOTP or recovery code when 2FA is on), refresh, log-out. Failures of
 * either factor count towards the same lockout; every outcome is audited.
 */
export function sessionRoutes(deps: SessionRouteDeps) {
  const { db, clock } = deps;

  async function failure(
    subject: string,
    action: string,
    ip: string,
    userId: string | null,
    code: 'invalid_credentials' | 'invalid_2fa_code',
  ): Promise<never> {
    const now = clock.now();
    // A lock of a real account is announced (`login.failed_burst`) with the failure itself.
    const locked = await db.transaction(async (client) => {
      const until = await recordAuthFailure(client, subject, now);
      if (until === null) return until;
      // A wrong password does not say whose account it was: the subject's email does.
      const owner =
        userId ??
        (
          await client.query<{ id: string }>('select id from users where lower(email) = $1', [
            subject.replace(/^email:/, ''),
          ])
        ).rows[0]?.id ??
        null;
      if (owner !== null)
        await appendPublicEvents(client, [
          {
            type: 'login.failed_burst',
            object: {
              id: encodeId('usr', owner),
              object: 'login_attempts',
              failures: lockoutPolicy.failuresMax,
              locked_until: until.toISOString(),
            },
            userIds: [owner],
            merchantId: null,
          },
        ]);
      return until;
    });
    await recordAudit(
      db,
      {
        actor: userId === null ? subject : `user:${userId}`,
        action,
        object: userId === null ? null : `user:${userId}`,
        outcome: 'failure',
        ip,
        details: locked === null ? {} : { locked_until: locked.toISOString() },
      },
      now,
    );
    throw new KassaError(code);
  }

  /** The caller's enrolled device named in `Kassa-Device`, if it is one of this user's. */
  async function callerDevice(request: FastifyRequest, userId: string): Promise<string | null> {
    const deviceId = deviceHeader(request);
    if (deviceId === null) return null;
    const rows = await db.query('select 1 from devices where id = $1 and user_id = $2', [
      deviceId,
      userId,
    ]);
    return rows.length === 1 ? deviceId : null;
  }

  /** Opens a session (bound to the caller's device when it names one) and audits it. */
  async function issue(
    reply: FastifyReply,
    request: FastifyRequest,
    userId: string,
    subject: string,
    action: string,
  ) {
    const now = clock.now();
    const ip = request.ip;
    await clearAuthFailures(db.pool, subject);
    const tokens = await openSession(
      db,
      deps.sessions,
      userId,
      now,
      await callerDevice(request, userId),
    );
    await recordAudit(
      db,
      { actor: `user:${userId}`, action, object: `user:${userId}`, outcome: 'success', ip },
      now,
    );
    return reply.code(201).send(tokens);
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
        const subject = lockoutSubject(request.body.email);
        await refuseIfLocked(db.pool, subject, clock.now());
        const user = await checkCredentials(db, request.body.email, request.body.password);
        if (user === null)
          return failure(subject, 'login', request.ip, null, 'invalid_credentials');
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
        return issue(reply, request, user.id, subject, 'login');
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
        if (!/^[0-9a-f-]{36}$/.test(challengeId)) throw new KassaError('invalid_challenge');
        const rows = await db.query<{ user_id: string }>(
          'select user_id from login_challenges where id = $1 and used_at is null and expires_at > $2',
          [challengeId, now.toISOString()],
        );
        const userId = rows[0]?.user_id;
        const user = userId === undefined ? null : await getUser(db.pool, userId);
        if (user === null) throw new KassaError('invalid_challenge');
        const subject = lockoutSubject(user.email);
        await refuseIfLocked(db.pool, subject, now);
        const accepted = await db.transaction(async (client) => {
          const method = await checkSecondFactor(
            client,
            deps.totpBox,
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
          return failure(subject, 'login.2fa', request.ip, user.id, 'invalid_2fa_code');
        return issue(reply, request, user.id, subject, 'login.2fa');
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
              deviceHeader(request),
              deps.onFamilyRevoked,
            ),
          );
      },
    );

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
        const subject = lockoutSubject(user.email);
        await refuseIfLocked(db.pool, subject, clock.now());
        if ((await checkCredentials(db, user.email, request.body.current_password)) === null) {
          return failure(subject, 'password.change', request.ip, user.id, 'invalid_credentials');
        }
        const passwordHash = await preparePasswordHash(request.body.new_password);
        const now = clock.now();
        const families = await db.transaction(async (client) => {
          await client.query('update users set password_hash = $2 where id = $1', [
            user.id,
            passwordHash,
          ]);
          const revoked = await client.query<{ family_id: string }>(
            'update refresh_tokens set revoked_at = coalesce(revoked_at, $2) where user_id = $1 returning family_id',
            [user.id, now.toISOString()],
          );
          await appendAudit(client, selfAction(user.id, 'password.changed', request.ip), now);
          return new Set(revoked.rows.map((row) => row.family_id));
        });
        for (const family of families) deps.onFamilyRevoked(family);
        await clearAuthFailures(db.pool, subject);
        return { changed: true, sessions_revoked: families.size };
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
