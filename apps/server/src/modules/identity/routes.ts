import {
  answers,
  CreateMerchantBody,
  IdParams,
  Me,
  MerchantProfile,
  SignUpBody,
  UpdateMerchantBody,
} from '@kassa/contracts';
import type { Wallet } from '@kassa/contracts';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Clock } from '../../kernel/clock.ts';
import { twoFactorEnabled } from './two-factor.ts';
import { KassaError } from '../../kernel/errors.ts';
import { encodeId } from '../../kernel/ids.ts';
import { isCurrency, type Currency } from '../../kernel/money.ts';
import type { Db } from '../../platform/db.ts';
import {
  idOrNotFound,
  isAdministrator,
  requireOperator,
  requirePrincipal,
  requireUser,
  operatorActor,
} from '../../platform/request-context.ts';
import { appendAudit } from '../audit/index.ts';
import { appendPublicEvents } from '../events/index.ts';
import { idempotencyClaim, runIdempotent, sendStored } from '../idempotency/index.ts';
import type { Ledger } from '../ledger/index.ts';
import type { MerchantProfiles } from './merchant-profiles.ts';
import type { Principal } from '../../kernel/principal.ts';
import {
  createMerchant,
  defaultFeeBps,
  merchantView,
  updateMerchantProfile,
  type MerchantRecord,
} from './merchants.ts';
import type { SessionSettings } from './sessions.ts';
import { createUser, getUser, listWallets, preparePasswordHash, userView } from './users.ts';

export interface IdentityRouteDeps {
  readonly db: Db;
  readonly ledger: Ledger;
  readonly clock: Clock;
  readonly sessions: SessionSettings;
  /** Renders a wallet with its balances (owned by the payments module). */
  readonly walletViews: (walletIds: readonly string[]) => Promise<Wallet[]>;
  readonly merchantProfiles: MerchantProfiles;
}

/** The merchant itself, or the operator. */
function speaksFor(principal: Principal, merchantId: string): boolean {
  return (
    isAdministrator(principal) ||
    (principal.kind === 'merchant' && principal.merchantId === merchantId)
  );
}

/** What a payer sees of a merchant; the merchant itself and the operator also see its fee. */
function profileView(merchant: MerchantRecord, full: boolean) {
  const { fee_bps, ...profile } = merchantView(merchant);
  return full ? { ...profile, fee_bps } : profile;
}

function currencyOf(value: string | undefined, fallback: Currency): Currency {
  if (value === undefined) return fallback;
  if (!isCurrency(value))
    throw new KassaError('invalid_currency', `Currency ${value} is not supported.`, {
      param: 'currency',
    });
  return value;
}

export function identityRoutes(deps: IdentityRouteDeps) {
  return async function plugin(root: FastifyInstance): Promise<void> {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();

    app.post(
      '/v1/users',
      {
        config: { public: true, rateLimit: 'auth' },
        schema: {
          tags: ['identity'],
          summary: 'Sign up (creates a wallet)',
          description:
            'An email that already has an account gets the same 201 answer with a decoy that is never stored, so sign-up does not reveal who has an account; the owner is told.',
          body: SignUpBody,
          security: [],
        },
      },
      async (request, reply) => {
        const body = request.body;
        const currency = currencyOf(body.currency, 'USD');
        const claim = idempotencyClaim(request, false);
        const passwordHash = await preparePasswordHash(body.password);
        const stored = await runIdempotent(deps.db, claim, async (client) => {
          const { user, wallet, existingUserId } = await createUser(client, deps.ledger, {
            email: body.email,
            passwordHash,
            name: body.name,
            currency,
          });
          if (existingUserId !== undefined)
            await appendAudit(
              client,
              {
                actor: 'anonymous',
                action: 'signup.existing_email',
                object: `user:${existingUserId}`,
                outcome: 'denied',
                ip: request.ip,
              },
              deps.clock.now(),
            );
          return {
            statusCode: 201,
            body: {
              ...userView(user),
              wallets: [
                {
                  id: encodeId('wal', wallet.id),
                  object: 'wallet',
                  currency,
                  balance: 0,
                  available: 0,
                  pending: 0,
                },
              ],
            },
          };
        });
        return sendStored(reply, stored);
      },
    );

    app.get(
      '/v1/me',
      {
        schema: {
          tags: ['identity'],
          summary: 'The user and their wallets',
          response: answers(Me, '200'),
        },
      },
      async (request) => {
        const principal = requireUser(request);
        const user = await getUser(deps.db.pool, principal.userId);
        if (user === null) throw new KassaError('authentication_required');
        const [wallets, twoFactor] = await Promise.all([
          listWallets(deps.db.pool, user.id),
          twoFactorEnabled(deps.db.pool, user.id),
        ]);
        return {
          ...userView(user),
          wallets: await deps.walletViews(wallets.map((w) => w.id)),
          two_factor_enabled: twoFactor,
        };
      },
    );

    app.post(
      '/v1/merchants',
      {
        schema: {
          tags: ['merchants'],
          summary: 'Create a merchant (operator)',
          body: CreateMerchantBody,
        },
      },
      async (request, reply) => {
        requireOperator(request);
        const body = request.body;
        const currency = currencyOf(body.currency, 'USD');
        const claim = idempotencyClaim(request, false);
        let secretKey: string | undefined;
        const stored = await runIdempotent(deps.db, claim, async (client) => {
          const created = await createMerchant(client, deps.ledger, {
            name: body.name,
            // The operator onboards the merchant: the name it was given is the verified one.
            verifiedName: body.verified_name ?? body.name,
            category: body.category,
            currency,
            feeBps: body.fee_bps ?? defaultFeeBps,
          });
          secretKey = created.secretKey;
          await appendAudit(
            client,
            {
              actor: operatorActor(request),
              action: 'merchant.created',
              object: `merchant:${created.merchant.id}`,
              outcome: 'success',
              ip: request.ip,
            },
            deps.clock.now(),
          );
          // What is stored for replays omits the secret: it is shown exactly once, never kept.
          return { statusCode: 201, body: { ...merchantView(created.merchant), secret_key: null } };
        });
        if (stored.replayed || secretKey === undefined) return sendStored(reply, stored);
        return reply.code(201).send({ ...(stored.body as object), secret_key: secretKey });
      },
    );

    app.get(
      '/v1/merchants/:id',
      {
        schema: {
          tags: ['merchants'],
          summary: 'A merchant as payers see it (cached); with its fee for itself and the operator',
          params: IdParams,
          response: answers(MerchantProfile, '200'),
        },
      },
      async (request) => {
        const principal = requirePrincipal(request);
        const merchantId = idOrNotFound('mer', request.params.id);
        const merchant = await deps.merchantProfiles.get(merchantId);
        if (merchant === null) throw new KassaError('resource_not_found');
        return profileView(merchant, speaksFor(principal, merchantId));
      },
    );

    app.patch(
      '/v1/merchants/:id',
      {
        schema: {
          tags: ['merchants'],
          summary: 'Change how payers see the merchant (itself or the operator)',
          params: IdParams,
          body: UpdateMerchantBody,
          response: answers(MerchantProfile, '200'),
        },
      },
      async (request) => {
        const principal = requirePrincipal(request);
        const merchantId = idOrNotFound('mer', request.params.id);
        // Another merchant's (or a user's) attempt cannot tell whether the merchant exists.
        if (!speaksFor(principal, merchantId)) throw new KassaError('resource_not_found');
        if (request.body.verified_name !== undefined && !isAdministrator(principal))
          throw new KassaError(
            'forbidden',
            'Only Kassa can change the verified name; you may change the display name.',
            { param: 'verified_name' },
          );
        const updated = await deps.db.transaction(async (client) => {
          const merchant = await updateMerchantProfile(client, merchantId, request.body);
          if (merchant === null) throw new KassaError('resource_not_found');
          const view = merchantView(merchant);
          await appendPublicEvents(client, [
            { type: 'merchant.updated', object: view, userIds: [], merchantId },
          ]);
          await appendAudit(
            client,
            {
              actor:
                principal.kind === 'operator' ? operatorActor(request) : `merchant:${merchantId}`,
              action: 'merchant.updated',
              object: `merchant:${merchantId}`,
              outcome: 'success',
              ip: request.ip,
            },
            deps.clock.now(),
          );
          return merchant;
        });
        await deps.merchantProfiles.forget([merchantId]);
        return profileView(updated, true);
      },
    );
  };
}
