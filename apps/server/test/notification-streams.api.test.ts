import assert from 'node:assert/strict';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { System } from '../src/main/system.ts';
import { password, startTestSystem, type TestSystem } from './support/test-system.ts';

let t: TestSystem;
let other: System;
let base: string;
before(async () => {
  t = await startTestSystem({ env: { NOTIFICATION_STREAMS_MAX: '3' } });
  base = await t.system.app.listen({ port: 0, host: '127.0.0.1' });
  other = await t.sibling();
});
after(async () => {
  await other.close();
  await t.close();
});

interface OpenStream {
  readonly status: number;
  /** Resolves with everything received once the server ends the stream. */
  readonly ended: Promise<string>;
  readonly request: ClientRequest;
}

/** Opens the stream; resolves once the server answered (and, when 200, sent its first bytes). */
function openStream(token: string): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${base}/v1/notifications/stream`, {
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    });
    request.on('response', (res) => {
      let text = '';
      const ended = new Promise<string>((done) => res.on('close', () => done(text)));
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text.startsWith('retry:') || res.statusCode !== 200)
          resolve({ status: res.statusCode ?? 0, ended, request });
      });
      if (res.statusCode !== 200)
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ended, request }));
    });
    request.on('error', (error) => {
      if (!/socket hang up|aborted/.test(String(error))) reject(error);
    });
    request.end();
  });
}

describe('notification streams end with the session and are bounded (issue 11, medium 9)', () => {
  it('logging out on another API process ends the stream within a second', async () => {
    const user = await t.signUp();
    const stream = await openStream(user.token);
    assert.equal(stream.status, 200);
    const loggedOutAt = performance.now();
    const out = await other.app.inject({
      method: 'DELETE',
      url: '/v1/sessions/current',
      headers: { authorization: `Bearer ${user.token}` },
    });
    assert.equal(out.statusCode, 204);
    const text = await stream.ended;
    const endedAfterMs = performance.now() - loggedOutAt;
    console.log(`stream ended ${Math.round(endedAfterMs)} ms after the logout`);
    assert.match(text, /event: session_ended/);
    assert.ok(endedAfterMs < 2_000, `ended after ${endedAfterMs} ms`);
  });

  it('a password change (every session revoked) ends the streams too', async () => {
    const user = await t.signUp();
    const stream = await openStream(user.token);
    const changed = await t.request('POST', '/v1/me/password', {
      token: user.token,
      body: { current_password: 'correct horse battery', new_password: 'another long password' },
    });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.match(await stream.ended, /event: session_ended/);
  });

  it('a sign-in may hold a bounded number of streams; other sign-ins are not blocked', async () => {
    const user = await t.signUp();
    const streams = [];
    for (let i = 0; i < 3; i += 1) streams.push(await openStream(user.token));
    assert.deepEqual(
      streams.map((s) => s.status),
      [200, 200, 200],
    );
    const fourth = await openStream(user.token);
    assert.equal(fourth.status, 429);
    // The cap is per sign-in: a stolen session that fills its quota does not block the owner's
    // other sign-ins.
    const signedIn = await t.request('POST', '/v1/sessions', {
      body: { email: user.email, password },
    });
    assert.equal(signedIn.statusCode, 201, signedIn.body);
    const ownerStream = await openStream(
      (JSON.parse(signedIn.body) as { access_token: string }).access_token,
    );
    assert.equal(ownerStream.status, 200);
    ownerStream.request.destroy();
    streams[0]?.request.destroy();
    await streams[0]?.ended;
    // The server sees the close; then a new stream fits again.
    let again = await openStream(user.token);
    for (let i = 0; again.status !== 200 && i < 50; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      again = await openStream(user.token);
    }
    assert.equal(again.status, 200);
    for (const s of [...streams.slice(1), again]) s.request.destroy();
  });
});
