import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { IdParams } from '@kassa/contracts';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../../kernel/clock.ts';
import { KassaError } from '../../kernel/errors.ts';
import { decodeId, encodeId } from '../../kernel/ids.ts';
import type { Db } from '../../platform/db.ts';
import { idOrNotFound, requireUser } from '../../platform/request-context.ts';
import { recordAudit, selfAction } from '../audit/index.ts';
import {
  addPasskey,
  listPasskeys,
  passkeyByCredential,
  removePasskey,
  storeChallenge,
  takeChallenge,
  usePasskey,
  type PasskeyRecord,
} from './passkeys.ts';
import { callerDevice, issueSession } from './session-issue.ts';
import type { SessionSettings } from './sessions.ts';
import { trustDevice } from './devices.ts';
import { getUser } from './users.ts';

export interface PasskeyRouteDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly sessions: SessionSettings;
  /** The web origins passkeys belong to (WEBAUTHN_ORIGINS); absent: the request's own origin. */
  readonly webauthnOrigins?: readonly string[] | undefined;
}

const Ceremony = Type.Object(
  {
    challenge_id: Type.String({ minLength: 1, maxLength: 64 }),
    response: Type.Unknown({ description: "The browser's WebAuthn answer, as JSON." }),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);

function passkeyView(p: PasskeyRecord) {
  return {
    object: 'passkey' as const,
    id: encodeId('psk', p.id),
    name: p.name,
    created_at: p.createdAt.toISOString(),
    last_used_at: p.lastUsedAt?.toISOString() ?? null,
  };
}

/**
 * Passkeys (WebAuthn, verified with @simplewebauthn/server): a signed-in user adds one; anyone
 * logs in with one, without a password and without a second code (a passkey is something the
 * person has, unlocked by something they are or know), and the phone it was used on becomes
 * trusted. Origins and the relying party are checked, the signature counter must move forward,
 * challenges are single-use and expire in 5 minutes.
 */
export function passkeyRoutes(deps: PasskeyRouteDeps) {
  const { db, clock } = deps;

  function relyingParty(request: FastifyRequest): { origins: string[]; rpID: string } {
    const origins =
      deps.webauthnOrigins !== undefined && deps.webauthnOrigins.length > 0
        ? [...deps.webauthnOrigins]
        : [`${request.protocol}://${request.host}`];
    return { origins, rpID: new URL(origins[0] as string).hostname };
  }

  const challengeId = (wire: string) => {
    const id = decodeId('wch', wire);
    if (id === null)
      throw new KassaError('invalid_challenge', undefined, { param: 'challenge_id' });
    return id;
  };

  return async function plugin(root: FastifyInstance): Promise<void> {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['identity'];

    app.post(
      '/v1/passkeys/options',
      { schema: { tags, summary: 'Start adding a passkey: WebAuthn creation options' } },
      async (request) => {
        const { userId } = requireUser(request);
        const user = await getUser(db.pool, userId);
        if (user === null) throw new KassaError('authentication_required');
        const existing = await listPasskeys(db.pool, userId);
        const { rpID } = relyingParty(request);
        const options = await generateRegistrationOptions({
          rpName: 'Kassa',
          rpID,
          userName: user.email,
          userDisplayName: user.name,
          userID: new TextEncoder().encode(encodeId('usr', userId)),
          attestationType: 'none',
          excludeCredentials: existing.map((p) => ({ id: p.credentialId })),
          authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
        });
        const id = await storeChallenge(
          db.pool,
          { userId, purpose: 'register', challenge: options.challenge },
          clock.now(),
        );
        return { challenge_id: encodeId('wch', id), options };
      },
    );

    app.post(
      '/v1/passkeys',
      {
        schema: {
          tags,
          summary: 'Add a passkey (the answer to /v1/passkeys/options)',
          body: Ceremony,
        },
      },
      async (request, reply) => {
        const { userId } = requireUser(request);
        const now = clock.now();
        const challenge = await takeChallenge(
          db.pool,
          { id: challengeId(request.body.challenge_id), userId, purpose: 'register' },
          now,
        );
        if (challenge === null)
          throw new KassaError('invalid_challenge', undefined, { param: 'challenge_id' });
        const { origins, rpID } = relyingParty(request);
        const verified = await verifyRegistrationResponse({
          response: request.body.response as RegistrationResponseJSON,
          expectedChallenge: challenge,
          expectedOrigin: origins,
          expectedRPID: rpID,
        }).catch(() => null);
        if (verified?.verified !== true)
          throw new KassaError('invalid_request', 'The passkey could not be verified. Try again.', {
            param: 'response',
          });
        const { credential } = verified.registrationInfo;
        const added = await addPasskey(db.pool, {
          userId,
          credentialId: credential.id,
          publicKey: credential.publicKey,
          counter: credential.counter,
          transports: credential.transports ?? [],
          name: request.body.name ?? 'Passkey',
          createdAt: now,
        });
        if (added === null)
          throw new KassaError('invalid_request', 'This passkey is already registered.', {
            param: 'response',
          });
        await recordAudit(db, selfAction(userId, 'passkey.added', request.ip), now);
        return reply.code(201).send(passkeyView(added));
      },
    );

    app.get(
      '/v1/passkeys',
      { schema: { tags, summary: "The user's passkeys" } },
      async (request) => {
        const { userId } = requireUser(request);
        const passkeys = await listPasskeys(db.pool, userId);
        return { object: 'list' as const, data: passkeys.map(passkeyView), has_more: false };
      },
    );

    app.delete(
      '/v1/passkeys/:id',
      { schema: { tags, summary: 'Remove a passkey', params: IdParams } },
      async (request) => {
        const { userId } = requireUser(request);
        const id = idOrNotFound('psk', request.params.id);
        if (!(await removePasskey(db.pool, userId, id))) throw new KassaError('resource_not_found');
        await recordAudit(db, selfAction(userId, 'passkey.removed', request.ip), clock.now());
        return { id: request.params.id, object: 'passkey' as const, deleted: true };
      },
    );

    app.post(
      '/v1/sessions/passkey/options',
      {
        config: { public: true, rateLimit: 'auth' },
        schema: { tags, summary: 'Start a passkey log-in: WebAuthn request options', security: [] },
      },
      async (request) => {
        const { rpID } = relyingParty(request);
        const options = await generateAuthenticationOptions({
          rpID,
          userVerification: 'preferred',
        });
        const id = await storeChallenge(
          db.pool,
          { userId: null, purpose: 'login', challenge: options.challenge },
          clock.now(),
        );
        return { challenge_id: encodeId('wch', id), options };
      },
    );

    app.post(
      '/v1/sessions/passkey',
      {
        config: { public: true, rateLimit: 'auth' },
        schema: {
          tags,
          summary: 'Log in with a passkey (no password, no second code)',
          body: Ceremony,
          security: [],
        },
      },
      async (request, reply) => {
        const now = clock.now();
        const refused = () =>
          new KassaError(
            'invalid_credentials',
            'That passkey did not work. Try again or log in with your password.',
          );
        const challenge = await takeChallenge(
          db.pool,
          { id: challengeId(request.body.challenge_id), userId: null, purpose: 'login' },
          now,
        );
        if (challenge === null)
          throw new KassaError('invalid_challenge', undefined, { param: 'challenge_id' });
        const response = request.body.response as AuthenticationResponseJSON;
        const passkey =
          typeof response?.id === 'string' ? await passkeyByCredential(db.pool, response.id) : null;
        if (passkey === null) throw refused();
        const { origins, rpID } = relyingParty(request);
        const verified = await verifyAuthenticationResponse({
          response,
          expectedChallenge: challenge,
          expectedOrigin: origins,
          expectedRPID: rpID,
          credential: {
            id: passkey.credentialId,
            publicKey: passkey.publicKey,
            counter: passkey.counter,
            transports: passkey.transports as never,
          },
        }).catch(() => null);
        if (verified?.verified !== true) throw refused();
        if (!(await usePasskey(db.pool, passkey.id, verified.authenticationInfo.newCounter, now)))
          throw refused();
        // The phone that just proved the passkey is trusted (it stands in for a 2FA code).
        const device = await callerDevice(db, request, passkey.userId);
        if (device !== null) await trustDevice(db.pool, passkey.userId, device);
        return issueSession(deps, reply, request, passkey.userId, 'login.passkey');
      },
    );
  };
}
