import type { FastifyRequest } from 'fastify';
import type { Clock } from '../../kernel/clock.ts';
import { KassaError } from '../../kernel/errors.ts';
import { encodeId } from '../../kernel/ids.ts';
import type { Db } from '../../platform/db.ts';
import { sentIdempotencyKey } from '../../platform/request-context.ts';
import { verifyDeviceSignature } from './devices.ts';

export type RequestDevice = 'trusted' | 'untrusted' | 'unsigned';

/**
 * How a money request stands with the caller's devices: signed by a trusted device, by an
 * untrusted one (the payment steps up), or not signed. A bad signature is a 401. A session
 * opened on an enrolled device is bound to it: its money requests must be signed by that
 * device, so a stolen access token alone moves nothing.
 */
export function createRequestDeviceCheck(deps: { db: Db; clock: Clock; replayKey: Buffer }) {
  return async function requestDevice(
    user: { userId: string; deviceId: string | null },
    request: FastifyRequest,
  ): Promise<RequestDevice> {
    const header = (name: string) => {
      const value = request.headers[name];
      return typeof value === 'string' ? value : '';
    };
    const device = header('kassa-device');
    const signature = header('kassa-signature');
    if (device === '' && signature === '') {
      if (user.deviceId === null) return 'unsigned';
      throw new KassaError(
        'invalid_device_signature',
        'This session belongs to a device: sign the request with its key.',
      );
    }
    if (user.deviceId !== null && device !== encodeId('dev', user.deviceId))
      throw new KassaError(
        'invalid_device_signature',
        'This session belongs to another device: sign the request with its key.',
      );
    const result = await verifyDeviceSignature(deps.db, deps.clock, deps.replayKey, {
      userId: user.userId,
      deviceWireId: device,
      signatureHeader: signature,
      method: request.method,
      path: request.url,
      body: request.rawBody ?? '',
      idempotencyKey: sentIdempotencyKey(request),
    });
    return result.trusted ? 'trusted' : 'untrusted';
  };
}
