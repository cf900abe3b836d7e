import { IdParams, RollApiKeyBody } from '@kassa/contracts';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  idOrNotFound,
  isAdministrator,
  requirePrincipal,
  operatorActor,
} from '../../platform/request-context.ts';
import { idempotencyClaim, sendStored } from '../idempotency/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import { KassaError } from '../../kernel/errors.ts';
import type { Db } from '../../platform/db.ts';
import { appendAudit } from '../audit/index.ts';
import { runIdempotent } from '../idempotency/index.ts';
import {
  apiKeyView,
  expireApiKey,
  issueApiKey,
  listApiKeys,
  lockApiKey,
  revokeApiKey,
} from './api-keys.ts';

/** How long a rolled key keeps working by default, so deployments can switch over. */
export const rollGraceHoursDefault = 24;

const KeyParams = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 64 }),
    key: Type.String({ minLength: 1, maxLength: 64 }),
  },
  { additionalProperties: false },
);

/**
 * Merchant secret keys: list, roll (a new key; the old one works for a grace period) and revoke
 * (refused at once). A merchant manages its own at `/v1/api_keys`; the operator any merchant's
 * at `/v1/merchants/{id}/api_keys` (and can issue a key, say after a merchant revoked its last).
 * Every change is audited.
 */
export function apiKeyRoutes(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;

  /** Whose keys the caller manages: the merchant its own, the operator the one in the path. */
  function owner(request: FastifyRequest, merchantWireId?: string): string {
    const principal = requirePrincipal(request);
    if (merchantWireId !== undefined) {
      if (!isAdministrator(principal)) throw new KassaError('resource_not_found');
      return idOrNotFound('mer', merchantWireId);
    }
    if (principal.kind !== 'merchant') throw new KassaError('forbidden');
    // A rolled key still takes payments during its grace period, but whoever holds it (maybe
    // the leak the roll was for) must not list, roll or revoke the keys that replaced it.
    if (principal.keyExpiring)
      throw new KassaError(
        'forbidden',
        'This key was rolled and only works until its grace period ends; manage keys with the new key.',
      );
    return principal.merchantId;
  }

  function actor(request: FastifyRequest): string {
    const principal = request.principal;
    return principal?.kind === 'merchant' ? `merchant:${principal.merchantId}` : 'operator';
  }

  function currentKey(request: FastifyRequest): string | null {
    const principal = request.principal;
    return principal?.kind === 'merchant' ? principal.keyId : null;
  }

  async function list(request: FastifyRequest, merchantId: string) {
    const now = clock.now();
    const keys = await listApiKeys(db.pool, merchantId);
    return {
      object: 'list',
      data: keys.map((k) => apiKeyView(k, now, currentKey(request))),
      has_more: false,
    };
  }

  async function roll(
    request: FastifyRequest,
    merchantId: string,
    keyWireId: string,
    graceHours = rollGraceHoursDefault,
  ) {
    const keyId = idOrNotFound('key', keyWireId);
    let secret: string | undefined;
    const stored = await runIdempotent(db, idempotencyClaim(request, false), async (client) => {
      const old = await lockApiKey(client, merchantId, keyId);
      if (old === null) throw new KassaError('resource_not_found', undefined, { param: 'id' });
      if (old.revokedAt !== null)
        throw new KassaError('invalid_request', 'A revoked key cannot be rolled.', {
          param: 'id',
        });
      const now = clock.now();
      await expireApiKey(client, keyId, new Date(now.getTime() + graceHours * 3_600_000));
      const issued = await issueApiKey(client, merchantId);
      secret = issued.secret;
      await appendAudit(
        client,
        {
          actor: actor(request),
          action: 'api_key.rolled',
          object: `merchant:${merchantId}`,
          outcome: 'success',
          ip: request.ip,
          details: {
            old: keyWireId,
            new: apiKeyView(issued.key, now, null).id,
            grace_hours: graceHours,
          },
        },
        now,
      );
      // Stored for replays without the secret: it is shown once.
      return { statusCode: 201, body: { ...apiKeyView(issued.key, now, null), secret: null } };
    });
    if (stored.replayed || secret === undefined) return stored;
    return { ...stored, body: { ...(stored.body as object), secret } };
  }

  async function revoke(request: FastifyRequest, merchantId: string, keyWireId: string) {
    const keyId = idOrNotFound('key', keyWireId);
    const now = clock.now();
    return db.transaction(async (client) => {
      const key = await lockApiKey(client, merchantId, keyId);
      if (key === null) throw new KassaError('resource_not_found', undefined, { param: 'id' });
      await revokeApiKey(client, keyId, now, `revoked by ${actor(request)}`);
      await appendAudit(
        client,
        {
          actor: actor(request),
          action: 'api_key.revoked',
          object: `merchant:${merchantId}`,
          outcome: 'success',
          ip: request.ip,
          details: { key: keyWireId },
        },
        now,
      );
      return apiKeyView({ ...key, revokedAt: key.revokedAt ?? now }, now, currentKey(request));
    });
  }

  return async function plugin(root: FastifyInstance): Promise<void> {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['merchants'];

    app.get(
      '/v1/api_keys',
      { schema: { tags, summary: 'Your secret keys (merchant)' } },
      (request) => list(request, owner(request)),
    );
    app.post(
      '/v1/api_keys/:id/roll',
      {
        schema: {
          tags,
          summary:
            'A new secret key (shown once); the old one works until `expires_in_hours` (default 24) have passed',
          params: IdParams,
          body: RollApiKeyBody,
        },
      },
      async (request, reply) =>
        sendStored(
          reply,
          await roll(request, owner(request), request.params.id, request.body?.expires_in_hours),
        ),
    );
    app.delete(
      '/v1/api_keys/:id',
      { schema: { tags, summary: 'Revoke a secret key at once', params: IdParams } },
      (request) => revoke(request, owner(request), request.params.id),
    );

    app.get(
      '/v1/merchants/:id/api_keys',
      { schema: { tags, summary: "A merchant's secret keys (operator)", params: IdParams } },
      (request) => list(request, owner(request, request.params.id)),
    );
    app.post(
      '/v1/merchants/:id/api_keys',
      {
        schema: {
          tags,
          summary: 'Issue a merchant a new secret key (operator; shown once)',
          params: IdParams,
        },
      },
      async (request, reply) => {
        const merchantId = owner(request, request.params.id);
        const now = clock.now();
        const issued = await db.transaction(async (client) => {
          const exists = await client.query('select 1 from merchants where id = $1', [merchantId]);
          if (exists.rowCount !== 1) throw new KassaError('resource_not_found');
          const created = await issueApiKey(client, merchantId);
          await appendAudit(
            client,
            {
              actor: operatorActor(request),
              action: 'api_key.issued',
              object: `merchant:${merchantId}`,
              outcome: 'success',
              ip: request.ip,
            },
            now,
          );
          return created;
        });
        return reply
          .code(201)
          .send({ ...apiKeyView(issued.key, now, null), secret: issued.secret });
      },
    );
    app.post(
      '/v1/merchants/:id/api_keys/:key/roll',
      {
        schema: {
          tags,
          summary: "Roll a merchant's key (operator)",
          params: KeyParams,
          body: RollApiKeyBody,
        },
      },
      async (request, reply) => {
        const merchantId = owner(request, request.params.id);
        const hours = request.body?.expires_in_hours;
        return sendStored(reply, await roll(request, merchantId, request.params.key, hours));
      },
    );
    app.delete(
      '/v1/merchants/:id/api_keys/:key',
      { schema: { tags, summary: "Revoke a merchant's key (operator)", params: KeyParams } },
      (request) => revoke(request, owner(request, request.params.id), request.params.key),
    );
  };
}
