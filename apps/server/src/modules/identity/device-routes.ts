import { answers, ConfirmBody, Device, EnrollDeviceBody, IdParams } from '@kassa/contracts';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { idOrNotFound, requireUser } from '../../platform/request-context.ts';
import type { Clock } from '../../kernel/clock.ts';
import { KassaError } from '../../kernel/errors.ts';
import type { Db } from '../../platform/db.ts';
import { appendAudit, recordAudit } from '../audit/index.ts';
import { enrollDevice, listDevices, trustDevice } from './devices.ts';
import { guardedAttempt, secondFactorSubjects } from './lockout.ts';
import { checkSecondFactor, type FactorSecrets } from './two-factor.ts';

/** Device enrolment, listing, and trusting a new device with a 2FA code. */
export function deviceRoutes(deps: { db: Db; clock: Clock; factors: FactorSecrets }) {
  const { db, clock } = deps;
  return async function plugin(root: FastifyInstance): Promise<void> {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['devices'];

    app.post(
      '/v1/devices',
      {
        config: { rateLimit: 'money' },
        schema: {
          tags,
          summary:
            "Enroll this install's public key; the first device is trusted, later ones after a 2FA confirmation",
          body: EnrollDeviceBody,
          response: answers(Device, '201'),
        },
      },
      async (request, reply) => {
        const user = requireUser(request);
        const device = await enrollDevice(db, user.userId, {
          name: request.body.name,
          publicKey: request.body.public_key,
          fingerprint: request.body.fingerprint ?? {},
        });
        await recordAudit(
          db,
          {
            actor: `user:${user.userId}`,
            action: 'device.added',
            object: device.id,
            outcome: 'success',
            ip: request.ip,
            device: device.id,
            details: { trusted: device.trusted },
          },
          clock.now(),
        );
        return reply.code(201).send(device);
      },
    );

    app.get(
      '/v1/devices',
      { schema: { tags, summary: 'Devices of the caller' } },
      async (request) => {
        const user = requireUser(request);
        return { object: 'list', data: await listDevices(db.pool, user.userId), has_more: false };
      },
    );

    app.post(
      '/v1/devices/:id/trust',
      {
        config: { rateLimit: 'auth' },
        schema: {
          tags,
          summary: 'Trust a device with a current 2FA code',
          params: IdParams,
          body: ConfirmBody,
        },
      },
      async (request) => {
        const user = requireUser(request);
        const deviceId = idOrNotFound('dev', request.params.id);
        const now = clock.now();
        const owned = await db.query('select 1 from devices where id = $1 and user_id = $2', [
          deviceId,
          user.userId,
        ]);
        if (owned.length === 0) throw new KassaError('resource_not_found');
        // Codes are guessed under the second-factor lockout, and every outcome is audited.
        const outcome = await guardedAttempt(db.pool, secondFactorSubjects(user.userId), now, () =>
          db.transaction(async (client) => {
            const method = await checkSecondFactor(
              client,
              deps.factors,
              user.userId,
              request.body.code,
              now,
              { allowRecovery: false, status: 'enabled' },
            );
            if (method === null) return null;
            await trustDevice(client, user.userId, deviceId);
            await appendAudit(
              client,
              trustEntry(user.userId, request.params.id, request.ip, 'success'),
              now,
            );
            return true;
          }),
        );
        if (!outcome.ok) {
          await recordAudit(
            db,
            {
              ...trustEntry(user.userId, request.params.id, request.ip, 'failure'),
              details:
                outcome.lockedUntil === null
                  ? {}
                  : { locked_until: outcome.lockedUntil.toISOString() },
            },
            now,
          );
          throw new KassaError('invalid_2fa_code', undefined, { param: 'code' });
        }
        return { id: request.params.id, object: 'device', trusted: true };
      },
    );
  };
}

function trustEntry(
  userId: string,
  deviceWireId: string,
  ip: string,
  outcome: 'success' | 'failure',
) {
  return {
    actor: `user:${userId}`,
    action: 'device.trusted',
    object: deviceWireId,
    outcome,
    ip,
    device: deviceWireId,
  };
}
