import { answers, ConfirmBody, Device, EnrollDeviceBody, IdParams } from '@kassa/contracts';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { idOrNotFound, requireUser } from '../../http/request-context.ts';
import type { Clock } from '../../kernel/clock.ts';
import { KassaError } from '../../kernel/errors.ts';
import type { Db } from '../../platform/db.ts';
import { appendAudit, recordAudit } from '../audit/index.ts';
import { enrollDevice, listDevices, trustDevice } from './devices.ts';
import type { SecretBox } from './secret-box.ts';
import { checkSecondFactor } from './two-factor.ts';

/** Device enrolment, listing, and trusting a new device with a 2FA code. */
export function deviceRoutes(deps: { db: Db; clock: Clock; totpBox: SecretBox }) {
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
        const trusted = await db.transaction(async (client) => {
          const method = await checkSecondFactor(
            client,
            deps.totpBox,
            user.userId,
            request.body.code,
            now,
            { allowRecovery: false, status: 'enabled' },
          );
          if (method === null) return 'bad_code' as const;
          if (!(await trustDevice(client, user.userId, deviceId))) return 'not_found' as const;
          await appendAudit(
            client,
            {
              actor: `user:${user.userId}`,
              action: 'device.trusted',
              object: request.params.id,
              outcome: 'success',
              ip: request.ip,
              device: request.params.id,
            },
            now,
          );
          return 'trusted' as const;
        });
        if (trusted === 'bad_code')
          throw new KassaError('invalid_2fa_code', undefined, { param: 'code' });
        if (trusted === 'not_found') throw new KassaError('resource_not_found');
        return { id: request.params.id, object: 'device', trusted: true };
      },
    );
  };
}
