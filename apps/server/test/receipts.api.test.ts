import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, it } from 'node:test';
import { startTestSystem, type TestSystem } from './support/test-system.ts';

let t: TestSystem;
before(async () => {
  t = await startTestSystem({ processor: true });
});
after(() => t.close());

it('payments, refunds, transfers and top-ups have receipts for their parties only, as JSON and a printable page', async () => {
  const payer = await t.signUp('Ada Payer');
  const friend = await t.signUp('Bo Friend');
  const stranger = await t.signUp();
  await t.fund(payer.walletId, 100_000);
  const merchant = await t.createMerchant({ feeBps: 300 });
  // The receipt names the merchant as verified (the operator's), not its free-text name.
  const verified = await t.request('PATCH', `/v1/merchants/${merchant.id}`, {
    token: t.operatorKey,
    body: { verified_name: 'Test Shop Ltd' },
  });
  assert.equal(verified.statusCode, 200, verified.body);
  const paid = await t.request('POST', '/v1/payments', {
    token: payer.token,
    key: randomUUID(),
    body: {
      merchant: merchant.id,
      amount: 10_000,
      currency: 'USD',
      description: '<script>alert(1)</script>',
    },
  });
  const payment = paid.json<{ id: string }>();

  const mine = await t.request('GET', `/v1/receipts/${payment.id}`, { token: payer.token });
  assert.equal(mine.statusCode, 200, mine.body);
  const receipt = mine.json();
  assert.match(receipt.reference, /^KS-[0-9A-Z]{5}-[0-9A-Z]{5}$/);
  assert.equal(receipt.amount_display, '100.00 USD');
  assert.deepEqual([receipt.from.name, receipt.to.name], ['Ada Payer', 'Test Shop Ltd']);
  assert.equal(receipt.fee, null, 'the payer does not see the merchant fee');
  const theirs = await t.request('GET', `/v1/receipts/${payment.id}`, {
    token: merchant.secretKey,
  });
  assert.deepEqual([theirs.json().fee, theirs.json().net], [300, 9_700]);
  assert.equal(theirs.json().reference, receipt.reference, 'one reference for both parties');
  for (const token of [stranger.token, friend.token]) {
    const peek = await t.request('GET', `/v1/receipts/${payment.id}`, { token });
    assert.equal(peek.statusCode, 404);
  }

  const page = await t.request('GET', `/v1/receipts/${payment.id}`, {
    token: payer.token,
    headers: { accept: 'text/html' },
  });
  assert.match(String(page.headers['content-type']), /^text\/html/);
  assert.ok(page.body.includes(receipt.reference));
  assert.ok(!page.body.includes('<script>alert'), 'user text is escaped');
  assert.ok(page.body.includes('&#60;script&#62;'));

  const refund = await t.request('POST', '/v1/refunds', {
    token: merchant.secretKey,
    key: randomUUID(),
    body: { payment: payment.id, amount: 2_500 },
  });
  const refundReceipt = await t.request('GET', `/v1/receipts/${refund.json().id}`, {
    token: payer.token,
  });
  assert.equal(refundReceipt.json().type, 'refund');
  assert.equal(refundReceipt.json().refunded_payment, payment.id);
  const refunded = await t.request('GET', `/v1/receipts/${payment.id}`, { token: payer.token });
  assert.equal(refunded.json().amount_refunded, 2_500);

  const sent = await t.request('POST', '/v1/transfers', {
    token: payer.token,
    key: randomUUID(),
    body: { to: friend.email, amount: 700, currency: 'USD' },
  });
  const transferReceipt = await t.request('GET', `/v1/receipts/${sent.json().id}`, {
    token: friend.token,
  });
  assert.deepEqual(
    [transferReceipt.json().from.name, transferReceipt.json().to.name],
    ['Ada P.', 'Bo Friend'],
    'the other person’s name as the app shows it; one’s own in full',
  );

  const pm = await t.addCard(payer.token, '4242424242424242');
  const topup = await t.request('POST', '/v1/topups', {
    token: payer.token,
    key: randomUUID(),
    body: { payment_method: pm, amount: 5_000, currency: 'USD' },
  });
  const topupReceipt = await t.request('GET', `/v1/receipts/${topup.json().id}`, {
    token: payer.token,
  });
  assert.equal(topupReceipt.json().from.name, 'Visa •••• 4242');

  const held = await t.request('POST', '/v1/payments', {
    token: payer.token,
    key: randomUUID(),
    body: { merchant: merchant.id, amount: 100, currency: 'USD', capture: 'manual' },
  });
  const none = await t.request('GET', `/v1/receipts/${held.json().id}`, { token: payer.token });
  assert.equal(none.statusCode, 404, 'a hold is not paid yet: no receipt');
  assert.equal(
    (await t.request('GET', '/v1/receipts/pay_nonsense', { token: payer.token })).statusCode,
    404,
  );
});
