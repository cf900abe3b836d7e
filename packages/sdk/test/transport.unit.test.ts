import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KassaApiError } from '../src/errors.ts';
import { isMoneyAnswer } from '../src/outbox-record.ts';
import { callApi, type ApiRequest } from '../src/transport.ts';

/** A transport whose network answers `response` and remembers what it was asked. */
function answering(response: () => Response) {
  const inits: RequestInit[] = [];
  return {
    inits,
    options: {
      baseUrl: 'https://api.kassa.test',
      now: () => 0,
      fetch: async (_input: string | URL | Request, init?: RequestInit) => {
        inits.push(init ?? {});
        return response();
      },
    },
  };
}

const payment: ApiRequest = {
  method: 'POST',
  path: '/v1/payments',
  body: { merchant: 'mer_x', amount: 1000, currency: 'USD' },
  token: 'token',
  idempotencyKey: '4b2d3f7e-2b0c-4a43-9a53-000000000001',
  accepts: isMoneyAnswer,
};
const read: ApiRequest = { method: 'GET', path: '/v1/me', token: 'token' };

/** Asserts the call fails with `code`, saying whether money moved as `moneyMoved`. */
async function rejectsWith(
  promise: Promise<unknown>,
  code: string,
  moneyMoved: boolean | null,
): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof KassaApiError, String(error));
    assert.deepEqual([error.code, error.moneyMoved, error.retryable], [code, moneyMoved, true]);
    return true;
  });
}

describe('answers that are not Kassa’s are never taken for success', () => {
  it('redirects are never followed: a payment redirected elsewhere has an unknown outcome', async () => {
    const redirect = () =>
      new Response(null, { status: 307, headers: { location: 'https://portal.example/login' } });
    const network = answering(redirect);
    await rejectsWith(callApi(network.options, payment), 'unexpected_redirect', null);
    assert.equal(network.inits[0]?.redirect, 'manual', 'fetch is told not to follow');
    await rejectsWith(callApi(network.options, read), 'unexpected_redirect', false);
  });

  it('a browser’s opaque redirect (status 0) is a redirect too', async () => {
    const opaque = () =>
      ({
        type: 'opaqueredirect',
        status: 0,
        ok: false,
        headers: new Headers(),
        text: async () => '',
      }) as Response;
    await rejectsWith(callApi(answering(opaque).options, payment), 'unexpected_redirect', null);
  });

  it('a captive portal’s page, a JSON array or a payment without id and status is an unknown outcome', async () => {
    const bodies = [
      () => new Response('<html>Sign in to the Wi-Fi</html>', { status: 200 }),
      () => Response.json([{ id: 'pay_1', status: 'succeeded' }]),
      () => Response.json({ ok: true }),
      () => new Response('', { status: 200 }),
    ];
    for (const body of bodies)
      await rejectsWith(callApi(answering(body).options, payment), 'unexpected_answer', null);
    // For a request without an idempotency key, nothing moved.
    await rejectsWith(callApi(answering(bodies[0]!).options, read), 'unexpected_answer', false);
  });

  it('the route’s own answers still pass: a payment object, and 204 No Content', async () => {
    const paid = { id: 'pay_1', object: 'payment', status: 'succeeded' };
    assert.deepEqual(await callApi(answering(() => Response.json(paid)).options, payment), paid);
    const noContent = answering(() => new Response(null, { status: 204 }));
    assert.equal(
      await callApi(noContent.options, { method: 'DELETE', path: '/v1/sessions/current' }),
      null,
    );
  });
});
