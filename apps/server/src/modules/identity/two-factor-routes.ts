import {
  RecoveryCodesBody,
  TotpConfirmBody,
  TotpDisableBody,
  TotpStartBody,
} from '@kassa/contracts';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireUser } from '../../platform/request-context.ts';
import type { Clock } from '../../kernel/clock.ts';
import { KassaError } from '../../kernel/errors.ts';
import type { Db, DbClient } from '../../platform/db.ts';
import { appendAudit, recordAudit, selfAction } from '../audit/index.ts';
import { appendPublicEvents } from '../events/index.ts';
import { guardedAttempt, passwordSubjects, secondFactorSubjects } from './lockout.ts';
import type { Principal } from '../../kernel/principal.ts';
import { isKnownAddress } from './known-addresses.ts';
import { securityEvent, type SecurityChange } from './security-events.ts';
import { revokeUserSessions } from './sessions.ts';
import {
  checkSecondFactor,
  confirmTotpEnrolment,
  newRecoveryCodes,
  removeTotp,
  startTotpEnrolment,
  twoFactorEnabled,
  type FactorSecrets,
} from './two-factor.ts';
import { checkCredentials, getUser, type UserRecord } from './users.ts';

export interface TwoFactorRouteDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly factors: FactorSecrets;
  /** Told about every session family revoked here, so its access tokens die at once. */
  readonly onFamilyRevoked: (familyId: string) => void;
}

type User = Extract<Principal, { kind: 'user' }>;

/**
 * TOTP enrolment, confirmation (with recovery codes), new recovery codes and removal. A stolen
 * access token is not enough for any of them: enrolling, replacing or removing a factor and
 * getting recovery codes need the current password (counted by the password lockout), and
 * removal or new codes a current code too (counted by the second-factor lockout). Each change
 * is audited, told to the user (an alert) and signs out every other session.
 */
export function twoFactorRoutes(deps: TwoFactorRouteDeps) {
  const { db, clock } = deps;

  async function currentUser(principal: User): Promise<UserRecord> {
    const user = await getUser(db.pool, principal.userId);
    if (user === null) throw new KassaError('authentication_required');
    return user;
  }

  /** The user's password, under the password lockout; a wrong one is audited and refused. */
  async function requirePassword(request: FastifyRequest, user: UserRecord, password: string) {
    const now = clock.now();
    const outcome = await guardedAttempt(
      db.pool,
      passwordSubjects(
        user.email,
        request.ip,
        await isKnownAddress(db.pool, user.email, request.ip, now),
      ),
      now,
      () => checkCredentials(db, user.email, password),
    );
    if (outcome.ok) return;
    await recordAudit(
      db,
      failureEntry(user.id, '2fa.password', request.ip, outcome.lockedUntil),
      now,
    );
    throw new KassaError('invalid_credentials', 'The password is incorrect.', {
      param: 'password',
    });
  }

  /** A current code (TOTP or recovery) under the second-factor lockout, used up with `change`. */
  async function withCode<T>(
    request: FastifyRequest,
    user: UserRecord,
    code: string,
    change: (client: DbClient) => Promise<T>,
  ): Promise<T> {
    const now = clock.now();
    const outcome = await guardedAttempt(db.pool, secondFactorSubjects(user.id), now, () =>
      db.transaction(async (client) => {
        const method = await checkSecondFactor(client, deps.factors, user.id, code, now, {
          allowRecovery: true,
          status: 'enabled',
        });
        return method === null ? null : { value: await change(client) };
      }),
    );
    if (outcome.ok) return outcome.value.value;
    await recordAudit(db, failureEntry(user.id, '2fa.code', request.ip, outcome.lockedUntil), now);
    throw new KassaError('invalid_2fa_code', undefined, { param: 'code' });
  }

  /** Audits the change, tells the user, and signs out the user's other sessions. */
  async function afterChange(
    client: DbClient,
    request: FastifyRequest,
    principal: User,
    change: SecurityChange,
  ): Promise<string[]> {
    const now = clock.now();
    await appendAudit(client, selfAction(principal.userId, auditActions[change], request.ip), now);
    await appendPublicEvents(client, [securityEvent(change, principal.userId)]);
    return revokeUserSessions(client, principal.userId, principal.sessionFamilyId, now);
  }

  function revoked(families: readonly string[]): void {
    for (const family of families) deps.onFamilyRevoked(family);
  }

  return async function plugin(root: FastifyInstance): Promise<void> {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['2fa'];

    app.post(
      '/v1/2fa/totp',
      {
        config: { rateLimit: 'auth' },
        schema: {
          tags,
          summary:
            'Start TOTP enrolment (needs the current password): a secret and an otpauth:// URI, valid 15 minutes',
          body: TotpStartBody,
        },
      },
      async (request, reply) => {
        const principal = requireUser(request);
        const user = await currentUser(principal);
        if (await twoFactorEnabled(db.pool, user.id)) throw new KassaError('totp_already_enabled');
        await requirePassword(request, user, request.body.password);
        return reply
          .code(201)
          .send(await startTotpEnrolment(db, deps.factors.box, user, clock.now()));
      },
    );

    app.post(
      '/v1/2fa/totp/confirm',
      {
        config: { rateLimit: 'auth' },
        schema: {
          tags,
          summary: 'Confirm enrolment with a first code; returns recovery codes (shown once)',
          body: TotpConfirmBody,
        },
      },
      async (request) => {
        const principal = requireUser(request);
        if (await twoFactorEnabled(db.pool, principal.userId))
          throw new KassaError('totp_already_enabled');
        const now = clock.now();
        const outcome = await guardedAttempt(
          db.pool,
          secondFactorSubjects(principal.userId),
          now,
          () =>
            db.transaction(async (client) => {
              const codes = await confirmTotpEnrolment(
                client,
                deps.factors,
                principal.userId,
                request.body.code,
                now,
              );
              if (codes === null) return null;
              return {
                codes,
                families: await afterChange(client, request, principal, 'two_factor.enabled'),
              };
            }),
        );
        if (!outcome.ok) throw new KassaError('invalid_2fa_code', undefined, { param: 'code' });
        revoked(outcome.value.families);
        return { enabled: true, recovery_codes: outcome.value.codes };
      },
    );

    app.post(
      '/v1/2fa/recovery_codes',
      {
        config: { rateLimit: 'auth' },
        schema: {
          tags,
          summary:
            'New recovery codes, shown once (needs the password and a current code); the old ones stop working',
          body: RecoveryCodesBody,
        },
      },
      async (request) => {
        const principal = requireUser(request);
        const user = await currentUser(principal);
        if (!(await twoFactorEnabled(db.pool, user.id))) throw new KassaError('totp_not_enabled');
        await requirePassword(request, user, request.body.password);
        const { codes, families } = await withCode(
          request,
          user,
          request.body.code,
          async (client) => ({
            codes: await newRecoveryCodes(client, deps.factors.lookupKey, user.id),
            families: await afterChange(
              client,
              request,
              principal,
              'two_factor.recovery_codes_regenerated',
            ),
          }),
        );
        revoked(families);
        return { recovery_codes: codes };
      },
    );

    app.delete(
      '/v1/2fa/totp',
      {
        config: { rateLimit: 'auth' },
        schema: {
          tags,
          summary: 'Turn 2FA off (needs the password and a current code)',
          body: TotpDisableBody,
        },
      },
      async (request) => {
        const principal = requireUser(request);
        const user = await currentUser(principal);
        if (!(await twoFactorEnabled(db.pool, user.id))) throw new KassaError('totp_not_enabled');
        await requirePassword(request, user, request.body.password);
        const families = await withCode(request, user, request.body.code, async (client) => {
          await removeTotp(client, user.id);
          return afterChange(client, request, principal, 'two_factor.disabled');
        });
        revoked(families);
        return { enabled: false };
      },
    );
  };
}

const auditActions: Record<SecurityChange, string> = {
  'two_factor.enabled': '2fa.enabled',
  'two_factor.disabled': '2fa.disabled',
  'two_factor.recovery_codes_regenerated': '2fa.recovery_codes_regenerated',
  'password.changed': 'password.changed',
};

function failureEntry(userId: string, action: string, ip: string, lockedUntil: Date | null) {
  return {
    actor: `user:${userId}`,
    action,
    object: `user:${userId}`,
    outcome: 'failure' as const,
    ip,
    details: lockedUntil === null ? {} : { locked_until: lockedUntil.toISOString() },
  };
}
