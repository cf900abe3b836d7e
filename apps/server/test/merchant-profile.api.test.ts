import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { decodeId } from '../src/kernel/ids.ts';
import { startTestSystem, type TestSystem } from './support/test-system.ts';

let t: TestSystem;
before(async () => {
  t = await startTestSystem();
});
after(() => t.close());

it('anyone signed in sees a merchant as payers do; the merchant and the operator also see the fee', async () => {
  const merchant = await t.createMerchant({ feeBps: 250 });
  const other = await t.createMerchant();
  const payer = await t.signUp();
  const get = (token: string, id = merchant.id) =>
    t.request('GET', `/v1/merchants/${id}`, { token });

  const asPayer = await get(payer.token);
  assert.equal(asPayer.statusCode, 200, asPayer.body);
  assert.deepEqual(Object.keys(asPayer.json()).sort(), [
    'category',
    'created_at',
    'currency',
    'id',
    'name',
    'object',
    'verified_name',
  ]);
  assert.equal((await get(other.secretKey)).json().fee_bps, undefined);
  assert.equal((await get(merchant.secretKey)).json().fee_bps, 250);
  assert.equal((await get(t.operatorKey)).json().fee_bps, 250);

  assert.equal((await t.request('GET', `/v1/merchants/${merchant.id}`)).statusCode, 401);
  for (const id of ['mer_nope', 'usr_01jd0000000000000000000000', `mer_${'0'.repeat(26)}`]) {
    const res = await get(payer.token, id);
    assert.equal(res.statusCode, 404, id);
    assert.equal(res.json().error.code, 'resource_not_found');
  }
});

it('a merchant changes its name and category; the change is an event, audited; bad input changes nothing', async () => {
  const merchant = await t.createMerchant();
  const other = await t.createMerchant();
  const payer = await t.signUp();
  const patch = (token: string, body: unknown) =>
    t.request('PATCH', `/v1/merchants/${merchant.id}`, { token, body });

  for (const [label, body] of [
    ['empty', {}],
    ['unknown field', { name: 'X', fee_bps: 0 }],
    ['blank name', { name: '' }],
    ['long name', { name: 'x'.repeat(201) }],
    ['wrong type', { category: 7 }],
  ] as const) {
    const res = await patch(merchant.secretKey, body);
    assert.equal(res.statusCode, 400, `${label}: ${res.body}`);
    assert.equal(res.json().error.money_moved, false);
  }
  for (const token of [other.secretKey, payer.token]) {
    const res = await patch(token, { name: 'Hijacked' });
    assert.equal(res.statusCode, 404, 'another merchant or a user cannot tell it exists');
  }
  const unchanged = await t.request('GET', `/v1/merchants/${merchant.id}`, { token: payer.token });
  assert.equal(unchanged.json().name, 'Test Shop');

  const changed = await patch(merchant.secretKey, { name: 'Corner Café', category: 'cafe' });
  assert.equal(changed.statusCode, 200, changed.body);
  assert.deepEqual([changed.json().name, changed.json().category], ['Corner Café', 'cafe']);
  const byOperator = await patch(t.operatorKey, { category: 'bakery' });
  assert.deepEqual([byOperator.json().name, byOperator.json().category], ['Corner Café', 'bakery']);

  const events = await t.request('GET', '/v1/events?type=merchant.updated', {
    token: merchant.secretKey,
  });
  assert.equal(events.statusCode, 200, events.body);
  const list = events.json<{ data: { data: { object: { name: string; category: string } } }[] }>();
  assert.deepEqual(
    list.data.map((e) => e.data.object.category),
    ['bakery', 'cafe'],
    'one event per change, newest first, with the merchant as it became',
  );
  const theirs = await t.request('GET', '/v1/events?type=merchant.updated', {
    token: other.secretKey,
  });
  assert.equal(theirs.json().data.length, 0, 'other merchants do not see it');
  const audited = await t.system.db.query<{ actor: string }>(
    `select actor from audit_log where action = 'merchant.updated' and object = $1 order by id`,
    [`merchant:${decodeId('mer', merchant.id) ?? ''}`],
  );
  assert.equal(audited.length, 2);
  assert.equal(audited[1]?.actor, 'operator');
});
