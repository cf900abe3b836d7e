import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestSystem, type TestSystem } from '../../server/test/support/test-system.ts';
import {
  goToTab,
  launchChromium,
  logInInApp,
  newProfile,
  sendInApp,
  waitForHome,
  waitForScreen,
} from './app-driver.ts';

/**
 * One browser profile shared the way people share it: two tabs at once, two people one after
 * the other, and someone editing IndexedDB. Access tokens live 30 s, under the SDK's 30 s
 * refresh margin, so every API call starts with a refresh: tabs refresh all the time.
 */
const password = 'correct horse battery';
let t: TestSystem;
let baseUrl: string;
let browser: Browser;
const profiles: BrowserContext[] = [];

before(async () => {
  t = await startTestSystem({
    webApp: true,
    env: { PORT: '0', ACCESS_TOKEN_TTL_SECONDS: '30' },
  });
  baseUrl = await t.system.listen();
  browser = await launchChromium();
});
after(async () => {
  for (const profile of profiles) await profile.close().catch(() => undefined);
  await browser?.close();
  await t?.close();
});

type Person = Awaited<ReturnType<TestSystem['signUp']>>;

async function person(name: string, fundMinor = 0): Promise<Person> {
  const created = await t.signUp(name);
  if (fundMinor > 0) await t.fund(created.walletId, fundMinor);
  return created;
}

/** A person's balance, read with a session of its own (tokens here live only 30 s). */
async function balanceOf(someone: Person): Promise<number> {
  const session = await t.request('POST', '/v1/sessions', {
    body: { email: someone.email, password },
  });
  const token = session.json<{ access_token: string }>().access_token;
  return (await t.balance(token, someone.walletId)).balance;
}

/** Waits until `check` holds, asking every 100 ms; fails with `what` after `timeoutMs`. */
async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 15_000) {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    assert.ok(performance.now() < deadline, `timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function profile(): Promise<BrowserContext> {
  const context = await newProfile(browser);
  profiles.push(context);
  return context;
}

/** Every POST to a money route the profile made (its pages and workers). */
function moneyPosts(context: BrowserContext): string[] {
  const seen: string[] = [];
  context.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (request.method() === 'POST' && /^\/v1\/(transfers|payments|payouts)/.test(path))
      seen.push(path);
  });
  return seen;
}

async function revokedRefreshTokens(someone: Person): Promise<number> {
  const rows = await t.system.db.query<{ n: string }>(
    `select count(*)::text as n from refresh_tokens r join users u on u.id = r.user_id
      where r.revoked_at is not null and lower(u.email) = lower($1)`,
    [someone.email],
  );
  return Number(rows[0]?.n);
}

async function accessible(page: Page, name: string): Promise<void> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21aa'])
    .analyze();
  assert.deepEqual(
    results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    [],
    `${name}: accessibility violations`,
  );
}

/** The session as the app stored it in IndexedDB. */
function storedSession(page: Page): Promise<{ access_token: string } | null> {
  return page.evaluate(
    () =>
      new Promise<{ access_token: string } | null>((resolve, reject) => {
        const open = indexedDB.open('kassa-app');
        open.onerror = () => reject(open.error ?? new Error('open failed'));
        open.onsuccess = () => {
          try {
            const get = open.result.transaction('keys').objectStore('keys').get('session');
            get.onsuccess = () => {
              open.result.close();
              resolve((get.result as { access_token: string } | undefined) ?? null);
            };
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        };
      }),
  );
}

describe('one browser profile', () => {
  it(
    'two tabs: payments queued offline in each are all kept and each sent once; refreshing at the same time keeps the session',
    { timeout: 120_000 },
    async () => {
      const ada = await person('Ada Tabs', 50_000);
      const friend = await person('Bo Friend');
      const context = await profile();
      const posts = moneyPosts(context);
      const first = await context.newPage();
      await logInInApp(first, baseUrl, ada.email);
      await waitForHome(first);
      const second = await context.newPage();
      await second.goto(`${baseUrl}/app/`);
      await waitForHome(second);

      await context.setOffline(true);
      await sendInApp(first, friend.email, '10.00', 'Pending');
      await sendInApp(second, friend.email, '5.00', 'Pending');
      for (const page of [first, second]) {
        await page.getByRole('link', { name: 'Back to home', exact: true }).click();
        await waitForHome(page);
        const waiting = page.getByRole('list', { name: 'Waiting on this phone' });
        await eventually(
          async () => (await waiting.getByText('Queued on this phone').count()) === 2,
          'each tab shows both queued payments',
        );
      }

      await context.setOffline(false);
      await eventually(async () => (await balanceOf(friend)) === 1_500, 'both payments arrived');
      for (const page of [first, second])
        await page
          .getByRole('list', { name: 'Waiting on this phone' })
          .waitFor({ state: 'detached' });
      assert.deepEqual(posts, ['/v1/transfers', '/v1/transfers'], 'one tab sent each, once');

      // Both tabs need a refresh for every call; they go to History at the same moment.
      await Promise.all(
        [first, second].map((page) => page.evaluate(() => (location.hash = '#/history'))),
      );
      await Promise.all([first, second].map((page) => waitForScreen(page, 'History')));
      for (const page of [first, second])
        await page.getByRole('list', { name: 'History' }).waitFor();
      await Promise.all([first, second].map((page) => goToTab(page, 'Home')));
      assert.equal(await revokedRefreshTokens(ada), 0, 'no refresh token was used twice');
      assert.equal(await balanceOf(friend), 1_500, 'each payment exactly once');
    },
  );

  it(
    'log-out always works: a session Kassa ended leads to log-in, and log-out works offline',
    { timeout: 90_000 },
    async () => {
      const ada = await person('Ada Logout', 10_000);
      const context = await profile();
      const page = await context.newPage();
      await logInInApp(page, baseUrl, ada.email);
      await waitForHome(page);

      // The session ends elsewhere (another device logged it out, or it was revoked).
      const session = await storedSession(page);
      assert.ok(session !== null);
      const ended = await t.request('DELETE', '/v1/sessions/current', {
        token: session.access_token,
      });
      assert.equal(ended.statusCode, 204);
      await page.getByRole('link', { name: 'History', exact: true }).click();
      await waitForScreen(page, 'Log in');
      assert.equal(await storedSession(page), null);

      await logInInApp(page, baseUrl, ada.email);
      await waitForHome(page);
      await context.setOffline(true);
      await goToTab(page, 'Settings');
      await page.getByRole('button', { name: 'Log out' }).click();
      await waitForScreen(page, 'Log in');
      assert.equal(await storedSession(page), null, 'logged out on the phone without Kassa');
      await context.setOffline(false);
    },
  );

  it(
    'switching users: Alice’s queued payment waits for Alice (Bob is asked, never charged) and Bob pays with his own key',
    { timeout: 120_000 },
    async () => {
      const alice = await person('Alice Shared', 20_000);
      const bob = await person('Bob Shared', 20_000);
      const friend = await person('Cy Friend');
      const context = await profile();
      const page = await context.newPage();
      await logInInApp(page, baseUrl, alice.email);
      await waitForHome(page);

      await context.setOffline(true);
      await sendInApp(page, friend.email, '10.00', 'Pending');
      await page.getByRole('link', { name: 'Back to home', exact: true }).click();
      await goToTab(page, 'Settings');
      await page.getByText('1 payment waits on this phone').waitFor();
      await page.getByRole('button', { name: 'Log out' }).click();
      await waitForScreen(page, 'Log in');
      await context.setOffline(false);

      await logInInApp(page, baseUrl, bob.email);
      await waitForScreen(page, 'Payments from another account');
      await page.getByText('1 payment made on this phone by another account').waitFor();
      await accessible(page, 'held-payments');
      await page.getByRole('button', { name: 'Keep them for that account' }).click();
      await waitForHome(page);
      // Bob's own payment goes out signed with his own key; Alice's is not part of his queue.
      await sendInApp(page, friend.email, '5.00', 'Done');
      assert.equal(await balanceOf(friend), 500, 'only Bob’s payment arrived');
      assert.equal(await balanceOf(bob), 20_000 - 500);
      assert.equal(await balanceOf(alice), 20_000);

      await goToTab(page, 'Settings');
      await page.getByRole('button', { name: 'Log out' }).click();
      await waitForScreen(page, 'Log in');
      await logInInApp(page, baseUrl, alice.email);
      await waitForHome(page);
      await eventually(
        async () => (await balanceOf(friend)) === 1_500,
        'Alice’s payment is sent once she is back',
      );
      assert.equal(await balanceOf(alice), 20_000 - 1_000);
      assert.equal(await balanceOf(bob), 20_000 - 500);
    },
  );

  it(
    'a queued payment edited in IndexedDB, and one added there, are refused and never sent',
    { timeout: 90_000 },
    async () => {
      const carol = await person('Carol Tamper', 20_000);
      const friend = await person('Di Friend');
      const mallory = await person('Mallory');
      const context = await profile();
      const posts = moneyPosts(context);
      const page = await context.newPage();
      await logInInApp(page, baseUrl, carol.email);
      await waitForHome(page);
      await context.setOffline(true);
      await sendInApp(page, friend.email, '10.00', 'Pending');
      await page.getByRole('link', { name: 'Back to home', exact: true }).click();
      await waitForHome(page);

      // 10.00 to a friend becomes 400.00 to Mallory; a payout to a bank account is added.
      await page.evaluate(
        (to) =>
          new Promise<void>((resolve, reject) => {
            const open = indexedDB.open('kassa-app');
            open.onerror = () => reject(open.error ?? new Error('open failed'));
            open.onsuccess = () => {
              let tx: IDBTransaction;
              try {
                tx = open.result.transaction('records', 'readwrite');
              } catch (error) {
                return reject(error instanceof Error ? error : new Error(String(error)));
              }
              const records = tx.objectStore('records');
              const all = records.getAll();
              all.onsuccess = () => {
                const [record] = all.result as Record<string, unknown>[];
                records.put({ ...record, body: { to, amount: 40_000, currency: 'USD' } });
                records.put({
                  ...record,
                  id: crypto.randomUUID(),
                  idempotencyKey: crypto.randomUUID(),
                  kind: 'payout',
                  path: '/v1/payouts',
                  body: { bank_account: 'GB00 0000 0000 0000', amount: 20_000, currency: 'USD' },
                });
              };
              tx.oncomplete = () => {
                open.result.close();
                resolve();
              };
              tx.onerror = () => reject(tx.error ?? new Error('write failed'));
            };
          }),
        mallory.email,
      );

      await context.setOffline(false);
      await page
        .getByRole('list', { name: 'Waiting on this phone' })
        .waitFor({ state: 'detached' });
      await goToTab(page, 'History');
      const onPhone = page.locator('ul.list').first();
      await eventually(
        async () => (await onPhone.getByText('Failed', { exact: true }).count()) === 2,
        'both records show as failed',
      );
      await onPhone.getByText('changed on this phone after you reviewed it').waitFor();
      await onPhone.getByText('not made in this app').waitFor();
      assert.equal(await onPhone.getByText('No money moved.').count(), 2);
      await accessible(page, 'refused-records');
      assert.deepEqual(posts, [], 'nothing was sent');
      assert.deepEqual(
        await Promise.all([friend, mallory].map(balanceOf)),
        [0, 0],
        'no money moved',
      );
      assert.equal(await balanceOf(carol), 20_000);
    },
  );

  it(
    'the pay review shows the merchant’s verified identity, not only the name it chose',
    { timeout: 90_000 },
    async () => {
      const payer = await person('Pat Payer', 20_000);
      const genuine = await t.createMerchant();
      const copycat = await t.createMerchant();
      const context = await profile();
      // What the API will answer: the legal name the operator verified, or null.
      const verified: Record<string, { name: string; verified_name: string | null }> = {
        [genuine.id]: { name: 'Famous Coffee', verified_name: 'Famous Coffee Ltd' },
        [copycat.id]: { name: 'Famous Coffee', verified_name: null },
      };
      await context.route(/\/v1\/merchants\/mer_[0-9a-z]+$/, async (route) => {
        const id = new URL(route.request().url()).pathname.split('/').pop() ?? '';
        const response = await route.fetch();
        const profileJson = (await response.json()) as Record<string, unknown>;
        await route.fulfill({ response, json: { ...profileJson, ...verified[id] } });
      });
      const page = await context.newPage();
      await logInInApp(page, baseUrl, payer.email);
      await waitForHome(page);
      for (const [merchant, shown] of [
        [genuine.id, 'Verified: Famous Coffee Ltd'],
        [copycat.id, 'Not verified'],
      ] as const) {
        await goToTab(page, 'Home');
        await goToTab(page, 'Pay');
        await page
          .getByLabel('Or paste the payment code')
          .fill(`kassa:pay?merchant=${merchant}&amount=450&currency=USD`);
        await page.getByRole('button', { name: 'Review payment' }).click();
        await waitForScreen(page, 'Pay merchant');
        const review = await page.locator('dl.review').innerText();
        assert.match(review, /Famous Coffee/);
        assert.equal(await page.getByTestId('merchant-identity').innerText(), shown);
        await accessible(page, `pay-review-${shown}`);
      }
    },
  );
});
