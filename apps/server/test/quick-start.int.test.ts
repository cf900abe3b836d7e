import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import pg from 'pg';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const root = join(import.meta.dirname, '..', '..', '..');
const dataDir = join('/tmp', `kassa-quick-start-${randomUUID()}`);
// Below the ephemeral range (32768+), where outgoing connections could take it first.
const embeddedPort = String(20_000 + Math.floor(Math.random() * 12_000));

after(() => rm(dataDir, { recursive: true, force: true }));

function quickStartEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KASSA_DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: embeddedPort,
    PORT: '0',
    PROCESSOR_PORT: '0',
    LOG_LEVEL: 'warn',
  };
  delete env['DATABASE_URL'];
  return env;
}

/** Runs a `npm run kassa -- …` command beside the running system; resolves its exit and output. */
function kassa(...args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'apps/server/src/main/cli.ts', ...args],
      { cwd: root, env: quickStartEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

/** Runs `npm start` as a new user would (no DATABASE_URL) and waits for its banner. */
async function start(): Promise<{
  child: ChildProcess;
  banner: string;
  url: string;
  output: () => string;
}> {
  const env = quickStartEnv();
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main/start.ts'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const banner = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner: ${out}`)), 120_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Ctrl-C stops everything')) {
        clearTimeout(timer);
        resolve(out);
      }
    });
    child.on('exit', (code) => reject(new Error(`npm start exited ${code}: ${out}`)));
  });
  const url = /API {8}(http:\/\/[^\s]+)\/v1/.exec(banner)?.[1];
  assert.ok(url, banner);
  return { child, banner, url, output: () => out };
}

async function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGINT');
  });
}

describe('quick start (npm start on the embedded PostgreSQL)', () => {
  it(
    'boots, seeds a demo, takes the printed payment, stops cleanly and keeps the data',
    { timeout: 300_000 },
    async () => {
      const first = await start();
      const merchant = /Demo merchant: .* (mer_[0-9a-z]+)/.exec(first.banner)?.[1];
      const operatorKey = /Bearer (op_[A-Za-z0-9_-]+)/.exec(first.banner)?.[1];
      assert.ok(merchant && operatorKey, first.banner);
      assert.match(first.banner, /alice@kassa\.test/);
      assert.match(first.banner, /curl -s .*\/v1\/payments/);
      assert.match(first.banner, /App {8}http:\/\/\S+\/app\//);
      const appPage = await fetch(`${first.url}/app/`);
      assert.equal(appPage.status, 200);
      assert.match(await appPage.text(), /<title>Kassa<\/title>/);
      assert.match(appPage.headers.get('content-security-policy') ?? '', /default-src 'self'/);
      // The app's script: compressed for the client, then a repeat visit is a 304 with no body.
      const script = await fetch(`${first.url}/app/app.js`, {
        headers: { 'accept-encoding': 'br' },
      });
      assert.equal(script.status, 200);
      assert.equal(script.headers.get('content-encoding'), 'br');
      const etag = script.headers.get('etag') ?? '';
      assert.match(etag, /^"[A-Za-z0-9_-]{22}"$/);
      const plain = await fetch(`${first.url}/app/app.js`, {
        headers: { 'accept-encoding': 'identity' },
      });
      assert.equal(plain.headers.get('content-encoding'), null);
      const raw = await plain.arrayBuffer();
      const compressedBytes = Number(script.headers.get('content-length') ?? raw.byteLength);
      assert.ok(compressedBytes < raw.byteLength / 2, `${compressedBytes} of ${raw.byteLength}`);
      const again = await fetch(`${first.url}/app/app.js`, { headers: { 'if-none-match': etag } });
      assert.equal(again.status, 304);
      assert.equal((await again.arrayBuffer()).byteLength, 0);
      assert.equal((await fetch(`${first.url}/app/sw.js`)).status, 200);
      assert.equal((await fetch(`${first.url}/app/nope.js`)).status, 404);
      const login = await fetch(`${first.url}/v1/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'alice@kassa.test', password: 'kassa-demo-password' }),
      });
      const { access_token: token } = (await login.json()) as { access_token: string };
      const payment = await fetch(`${first.url}/v1/payments`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
          'idempotency-key': randomUUID(),
        },
        body: JSON.stringify({ merchant, amount: 1250, currency: 'USD' }),
      });
      assert.equal(payment.status, 201);
      // The processor stand-in started with it: a top-up from a test card goes through.
      assert.match(first.banner, /Processor {2}http:\/\/localhost:\d+/);
      const authorized = {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
      };
      const card = await fetch(`${first.url}/v1/payment_methods`, {
        method: 'POST',
        headers: authorized,
        body: JSON.stringify({
          card: { number: '4242424242424242', exp_month: 12, exp_year: 2031, cvc: '123' },
        }),
      });
      const { id: pm } = (await card.json()) as { id: string };
      const topup = await fetch(`${first.url}/v1/topups`, {
        method: 'POST',
        headers: { ...authorized, 'idempotency-key': randomUUID() },
        body: JSON.stringify({ payment_method: pm, amount: 500, currency: 'USD' }),
      });
      assert.equal(((await topup.json()) as { status: string }).status, 'succeeded');
      assert.equal(await stop(first.child), 0, first.output());

      const second = await start();
      assert.match(
        second.banner,
        new RegExp(`Bearer ${operatorKey}`),
        'the operator key survives a restart',
      );
      const me = await fetch(`${second.url}/v1/me`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(me.status, 200, 'sessions survive a restart (the signing secret is kept)');
      // An operator command beside the running system works on its PostgreSQL (no second
      // postmaster) and leaves it running; the rotated keys reach the running API.
      const rotated = await kassa('keys', 'rotate');
      assert.equal(rotated.code, 0, rotated.output);
      const afterRotation = await fetch(`${second.url}/v1/topups`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
          'idempotency-key': randomUUID(),
        },
        body: JSON.stringify({ payment_method: pm, amount: 500, currency: 'USD' }),
      });
      assert.equal(
        ((await afterRotation.json()) as { status: string }).status,
        'succeeded',
        'the card, re-wrapped under the new key, still pays',
      );
      const wallets = ((await me.json()) as { wallets: { balance: number }[] }).wallets;
      assert.equal(
        wallets[0]?.balance,
        100_000 - 1250 + 500,
        'the payment and top-up are still there',
      );
      const verify = await fetch(`${second.url}/v1/admin/ledger/verify`, {
        headers: { authorization: `Bearer ${operatorKey}` },
      });
      assert.equal(((await verify.json()) as { balanced: boolean }).balanced, true);
      // The embedded PostgreSQL's password is random and kept in the data folder, not a
      // well-known one.
      const stored = JSON.parse(await readFile(join(dataDir, 'secrets.json'), 'utf8')) as {
        postgresPassword?: string;
      };
      assert.ok((stored.postgresPassword ?? '').length >= 24);
      const guess = new pg.Client({
        connectionString: `postgres://postgres:postgres@127.0.0.1:${embeddedPort}/kassa`,
      });
      await assert.rejects(guess.connect(), /password authentication failed/);
      const owner = new pg.Client({
        connectionString: `postgres://postgres:${encodeURIComponent(stored.postgresPassword ?? '')}@127.0.0.1:${embeddedPort}/kassa`,
      });
      await owner.connect();
      await owner.end();
      assert.equal(await stop(second.child), 0, second.output());
    },
  );
});
