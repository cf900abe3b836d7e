import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startTestSystem, type TestSystem } from './support/test-system.ts';

/**
 * Passkeys, the negative space (the happy path runs in Chromium with a virtual authenticator:
 * apps/web/test/web-app.e2e.test.ts): challenges are single-use and bound to their purpose,
 * an unknown or forged credential logs nobody in, and nothing is stored on a refusal.
 */
let t: TestSystem;
before(async () => {
  t = await startTestSystem();
});
after(() => t.close());

const forged = {
  id: 'AAAA',
  rawId: 'AAAA',
  type: 'public-key',
  response: { clientDataJSON: 'e30', authenticatorData: 'AAAA', signature: 'AAAA' },
  clientExtensionResults: {},
};

it('a passkey log-in with a forged answer is refused, and its challenge cannot be used twice', async () => {
  const options = await t.request('POST', '/v1/sessions/passkey/options', {});
  assert.equal(options.statusCode, 200, options.body);
  const { challenge_id, options: request } = options.json<{
    challenge_id: string;
    options: { challenge: string; rpId: string };
  }>();
  assert.match(challenge_id, /^wch_/);
  assert.equal(request.rpId, 'localhost', 'the relying party is the host the request reached');
  assert.ok(request.challenge.length >= 32);

  const refused = await t.request('POST', '/v1/sessions/passkey', {
    body: { challenge_id, response: forged },
  });
  assert.equal(refused.statusCode, 401, refused.body);
  assert.equal(refused.json().error.code, 'invalid_credentials');
  const again = await t.request('POST', '/v1/sessions/passkey', {
    body: { challenge_id, response: forged },
  });
  assert.equal(again.json().error.code, 'invalid_challenge', 'a challenge works once');

  for (const bad of ['nope', 'wch_zzzz', '']) {
    const answer = await t.request('POST', '/v1/sessions/passkey', {
      body: { challenge_id: bad, response: forged },
    });
    assert.ok([400, 401].includes(answer.statusCode), `${bad}: ${answer.body}`);
  }
});

it('adding a passkey needs a session and a registration challenge of that user', async () => {
  const noSession = await t.request('POST', '/v1/passkeys/options', {});
  assert.equal(noSession.statusCode, 401);
  const alice = await t.signUp();
  const bob = await t.signUp();
  const { challenge_id } = (
    await t.request('POST', '/v1/passkeys/options', { token: alice.token })
  ).json<{ challenge_id: string }>();
  // Bob cannot answer Alice's challenge, and a log-in challenge is no registration challenge.
  const asBob = await t.request('POST', '/v1/passkeys', {
    token: bob.token,
    body: { challenge_id, response: forged },
  });
  assert.equal(asBob.json().error.code, 'invalid_challenge', asBob.body);
  const login = (await t.request('POST', '/v1/sessions/passkey/options', {})).json<{
    challenge_id: string;
  }>();
  const wrongPurpose = await t.request('POST', '/v1/passkeys', {
    token: alice.token,
    body: { challenge_id: login.challenge_id, response: forged },
  });
  assert.equal(wrongPurpose.json().error.code, 'invalid_challenge');
  const garbage = await t.request('POST', '/v1/passkeys', {
    token: alice.token,
    body: { challenge_id, response: forged },
  });
  assert.equal(garbage.statusCode, 400, garbage.body);
  assert.equal(garbage.json().error.param, 'response');
  const listed = await t.request('GET', '/v1/passkeys', { token: alice.token });
  assert.deepEqual(listed.json().data, [], 'nothing stored');
});
