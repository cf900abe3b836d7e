import { TotpConfirmBody, TotpDisableBody } from '@kassa/contracts';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../../http/request-context.ts';
import type { Clock } from '../../kernel/clock.ts';
import { KassaError } from '../../kernel/errors.ts';
import type { Db } from '../../platform/db.ts';
import { appendAudit, selfAction } from '../audit/index.ts';
import { clearAuthFailures, lockoutSubject, recordAuthFailure, refuseIfLocked } from './lockout.ts';
import { verifyPassword } from './passwords.ts';
import type { SecretBox } from './secret-box.ts';
import {
  checkSecondFactor,
  confirmTotpEnrolment,
  removeTotp,
  startTotpEnrolment,
  twoFactorEnabled,
} from './two-factor.ts';
import { getUser } from './users.ts';

/** TOTP enrolment, confirmation (with recovery codes) and removal (password + code). */
export function twoFactorRoutes(deps: { db: Db; clock: Clock; totpBox: SecretBox }) {
  const { db, clock } = deps;
  return async function plugin(root: FastifyInstance): Promise<void> {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['2fa'];

    app.post(
      '/v1/2fa/totp',
      {
        schema: {
          tags,
          summary: 'Start TOTP enrolment: a secret and an otpauth:// URI for the authenticator app',
        },
      },
      async (request, reply) => {
        const principal = requireUser(request);
        const user = await getUser(db.pool, principal.userId);
        if (user === null) throw new KassaError('authentication_required');
        return reply.code(201).send(await startTotpEnrolment(db, deps.totpBox, user));
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
        const codes = await confirmTotpEnrolment(
          db,
          deps.totpBox,
          principal.userId,
          request.body.code,
          clock.now(),
          { ip: request.ip },
        );
        if (codes === null) throw new KassaError('invalid_2fa_code', undefined, { param: 'code' });
        return { enabled: true, recovery_codes: codes };
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
        const user = await getUser(db.pool, principal.userId);
        if (user === null) throw new KassaError('authentication_required');
        const now = clock.now();
        const subject = lockoutSubject(user.email);
        await refuseIfLocked(db.pool, subject, now);
        if (!(await twoFactorEnabled(db.pool, user.id))) throw new KassaError('totp_not_enabled');
        const rows = await db.query<{ password_hash: string }>(
          'select password_hash from users where id = $1',
          [user.id],
        );
        const passwordOk = await verifyPassword(
          rows[0]?.password_hash ?? '',
          request.body.password,
        );
        const disabled =
          passwordOk &&
          (await db.transaction(async (client) => {
            const method = await checkSecondFactor(
              client,
              deps.totpBox,
              user.id,
              request.body.code,
              now,
              { allowRecovery: true, status: 'enabled' },
            );
            if (method === null) return false;
            await removeTotp(client, user.id);
            await appendAudit(client, selfAction(user.id, '2fa.disabled', request.ip), now);
            return true;
          }));
        if (!disabled) {
          await recordAuthFailure(db.pool, subject, now);
          throw new KassaError(passwordOk ? 'invalid_2fa_code' : 'invalid_credentials');
        }
        await clearAuthFailures(db.pool, subject);
        return { enabled: false };
      },
    );
  };
}
