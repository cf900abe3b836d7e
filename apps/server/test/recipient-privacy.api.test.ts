import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestSystem, type TestSystem } from './support/test-system.ts';

let t: TestSystem;
before(async () => {
  t = await startTestSystem({ env: { RECIPIENT_PROBES_PER_HOUR: '5' } });
});
after(() => t.close());

const unknownEmail = () => `nobody-${randomUUID().replace(/[0-9-]/g, '')}@kassa.test`;

describe('a payer cannot enumerate accounts through transfers (issue 11, medium 5)', () => {
  it('a failed transfer keeps nothing of the recipient: no user id, no name, in the prober’s history', async () => {
    const prober = await t.signUp('Pro Ber');
    const victim = await t.signUp('Victoria Secretname');
    const failed = await t.request('POST', '/v1/transfers', {
      token: prober.token,
      key: randomUUID(),
      body: { to: victim.email, amount: 100, currency: 'USD' },
    });
    assert.equal(failed.statusCode, 402, failed.body);
    const history = await t.request('GET', `/v1/wallets/${prober.walletId}/transactions`, {
      token: prober.token,
    });
    const text = history.body;
    assert.equal(history.json().data.length, 1);
    assert.ok(!text.includes(victim.userId), 'no user id');
    assert.ok(!text.includes('Victoria') && !text.includes('Secretname'), 'no name');
    assert.ok(!text.includes(victim.walletId), 'no wallet id');
    // The victim does not see the prober's attempt either.
    const victims = await t.request('GET', `/v1/wallets/${victim.walletId}/transactions`, {
      token: victim.token,
    });
    assert.equal(victims.json().data.length, 0);
  });

  it('a payer sees recipients by a masked display name only', async () => {
    const alice = await t.signUp('Alice Payer');
    const ada = await t.signUp('Ada Byron Lovelace');
    await t.fund(alice.walletId, 1_000);
    const lookup = await t.request('POST', '/v1/recipients/lookup', {
      token: alice.token,
      body: { to: ada.email, currency: 'USD' },
    });
    assert.equal(lookup.statusCode, 200, lookup.body);
    assert.deepEqual(lookup.json(), {
      object: 'recipient',
      to: ada.email,
      display_name: 'Ada L.',
      first_payment: true,
    });
    await t.request('POST', '/v1/transfers', {
      token: alice.token,
      key: randomUUID(),
      body: { to: ada.email, amount: 100, currency: 'USD' },
    });
    const again = await t.request('POST', '/v1/recipients/lookup', {
      token: alice.token,
      body: { to: ada.email, currency: 'USD' },
    });
    assert.equal(again.json().first_payment, false);
    const history = await t.request('GET', `/v1/wallets/${alice.walletId}/transactions`, {
      token: alice.token,
    });
    assert.equal(history.json().data[0].counterparty.name, 'Ada L.');
    assert.ok(!history.body.includes('Lovelace'));
  });

  it('distinct unknown recipients are limited per hour; past it, known and unknown get the same answer', async () => {
    const prober = await t.signUp();
    const known = await t.signUp('Known Person');
    const friend = await t.signUp('Old Friend');
    await t.fund(prober.walletId, 1_000);
    assert.equal(
      (
        await t.request('POST', '/v1/transfers', {
          token: prober.token,
          key: randomUUID(),
          body: { to: friend.email, amount: 1, currency: 'USD' },
        })
      ).statusCode,
      201,
    );
    for (let i = 0; i < 5; i += 1) {
      const res = await t.request('POST', '/v1/recipients/lookup', {
        token: prober.token,
        body: { to: unknownEmail(), currency: 'USD' },
      });
      assert.equal(res.statusCode, 404, res.body);
    }
    const sameUnknownAgain = await t.request('POST', '/v1/transfers', {
      token: prober.token,
      key: randomUUID(),
      body: { to: unknownEmail(), amount: 1, currency: 'USD' },
    });
    assert.equal(sameUnknownAgain.statusCode, 429, 'over the limit');
    const unknownAnswer = await t.request('POST', '/v1/recipients/lookup', {
      token: prober.token,
      body: { to: unknownEmail(), currency: 'USD' },
    });
    const knownAnswer = await t.request('POST', '/v1/recipients/lookup', {
      token: prober.token,
      body: { to: known.email, currency: 'USD' },
    });
    assert.equal(unknownAnswer.statusCode, 429);
    assert.equal(knownAnswer.statusCode, 429, 'a known account is not told apart');
    assert.equal(unknownAnswer.json().error.code, knownAnswer.json().error.code);
    assert.equal(unknownAnswer.json().error.message, knownAnswer.json().error.message);
    // Someone already paid can still be paid.
    const toFriend = await t.request('POST', '/v1/transfers', {
      token: prober.token,
      key: randomUUID(),
      body: { to: friend.email, amount: 1, currency: 'USD' },
    });
    assert.equal(toFriend.statusCode, 201, toFriend.body);
    // The limit is per payer: someone else is not affected.
    const other = await t.signUp();
    const fine = await t.request('POST', '/v1/recipients/lookup', {
      token: other.token,
      body: { to: known.email, currency: 'USD' },
    });
    assert.equal(fine.statusCode, 200);
  });

  it('a burst of simultaneous probes cannot race past the limit', async () => {
    const prober = await t.signUp();
    const answers = await Promise.all(
      Array.from({ length: 30 }, () =>
        t.request('POST', '/v1/recipients/lookup', {
          token: prober.token,
          body: { to: unknownEmail(), currency: 'USD' },
        }),
      ),
    );
    assert.equal(answers.filter((a) => a.statusCode === 404).length, 5);
    assert.equal(answers.filter((a) => a.statusCode === 429).length, 25);
  });
});
