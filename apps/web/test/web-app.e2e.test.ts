import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import QRCode from 'qrcode';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { base32Decode, hotp, totpStep } from '../../server/src/modules/identity/domain/totp.ts';
import { awayFromTotpStepEdge } from '../../server/test/support/totp-timing.ts';
import { startTestSystem, type TestSystem } from '../../server/test/support/test-system.ts';
import { chromiumPath } from './chromium.ts';

/**
 * The mobile web app in Debian's Chromium at a phone's size (390×844), against the real API
 * with the processor stand-in: sign up, 2FA, top up, send, pay a merchant, see a refund, and
 * two payments queued offline that each complete once. Every screen is checked with axe.
 */
const artifacts = join(import.meta.dirname, 'artifacts');
let t: TestSystem;
let baseUrl: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** What the browser said (console, page errors, failed requests), shown when a step fails. */
const browserLog: string[] = [];

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  t = await startTestSystem({ webApp: true, processor: true, env: { PORT: '0' } });
  baseUrl = await t.system.listen();
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'en-US',
  });
  page = await context.newPage();
  page.on('console', (message) => browserLog.push(`console.${message.type()}: ${message.text()}`));
  page.on('response', (response) => {
    if (response.status() >= 400)
      void response.text().then(
        (body) => browserLog.push(`${response.status()} ${response.url()} ${body.slice(0, 300)}`),
        () => undefined,
      );
  });
  page.on('request', (request) => {
    if (request.url().includes('/v1/transfers'))
      browserLog.push(`request ${request.method()} ${request.url()}`);
  });
  page.on('pageerror', (error) => browserLog.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) =>
    browserLog.push(
      `request failed: ${request.method()} ${request.url()} ${request.failure()?.errorText ?? ''}`,
    ),
  );
});
after(async () => {
  await browser?.close();
  await t?.close();
});

async function accessible(name: string): Promise<void> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21aa'])
    .analyze();
  assert.deepEqual(
    results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    [],
    `${name}: accessibility violations`,
  );
  // Money in words: no raw code (card_declined, requires_action) on any screen.
  const text = await page.locator('body').innerText();
  assert.deepEqual(text.match(/\b[a-z]+_[a-z_]+\b/g) ?? [], [], `${name}: raw codes on screen`);
  await page.screenshot({ path: join(artifacts, `${name}.png`) });
}

async function screen(title: string): Promise<void> {
  try {
    await page.getByRole('heading', { level: 1, name: title }).waitFor({ timeout: 15_000 });
  } catch (error) {
    await page.screenshot({ path: join(artifacts, `failed-waiting-for-${title}.png`) });
    const stored = await page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const open = indexedDB.open('kassa-app');
          open.onsuccess = () => {
            try {
              const get = open.result.transaction('records').objectStore('records').getAll();
              get.onsuccess = () =>
                resolve(JSON.stringify({ online: navigator.onLine, records: get.result }));
            } catch (error) {
              resolve(`unreadable: ${String(error)}`);
            }
          };
          open.onerror = () => resolve(`unreadable: ${String(open.error)}`);
        }),
    );
    browserLog.push(`stored: ${stored}`);
    throw new Error(
      `screen "${title}" did not appear; the page says: ${await page.locator('body').innerText()}\nbrowser: ${browserLog.slice(-10).join('\n')}`,
      { cause: error },
    );
  }
}

async function balanceOf(walletId: string, token: string): Promise<number> {
  return (await t.balance(token, walletId)).balance;
}

let friend: Awaited<ReturnType<TestSystem['signUp']>>;
let shop: { id: string; secretKey: string };

it(
  'a newcomer signs up, turns on 2FA, tops up, sends money and pays a merchant, and sees the refund',
  { timeout: 180_000 },
  async () => {
    friend = await t.signUp('Bo Friend');
    const merchant = await t.createMerchant();
    shop = merchant;

    await page.goto(`${baseUrl}/app/`);
    await screen('Welcome to Kassa');
    // The screen's heading takes focus on arrival; Tab then follows the form in reading order.
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'screen-title');
    const order: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      await page.keyboard.press('Tab');
      order.push(
        await page.evaluate(() => {
          const el = document.activeElement as HTMLElement | null;
          return el?.getAttribute('name') ?? el?.textContent?.trim() ?? '';
        }),
      );
    }
    assert.deepEqual(order, [
      'name',
      'email',
      'password',
      'currency',
      'Create account',
      'I already have an account',
    ]);
    await accessible('01-welcome');

    // Base 36: a 13-digit timestamp passes the Luhn check one time in ten, and Kassa refuses an
    // email that holds a card number.
    const email = `web-${Date.now().toString(36)}@kassa.test`;
    await page.getByLabel('Your name').fill('Ada Lovelace');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Create account' }).click();
    await screen('Home');
    await page.getByText('No activity yet').waitFor();
    assert.equal(await page.getByTestId('balance').textContent(), '$0.00');
    await accessible('02-home-empty');

    // Two-step verification, after the current password (a wrong one is refused).
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await screen('Settings');
    const currentPassword = page.getByLabel('Current password');
    assert.equal(await currentPassword.getAttribute('type'), 'password');
    assert.equal(await currentPassword.getAttribute('autocomplete'), 'current-password');
    await currentPassword.fill('not my password');
    await page.getByRole('button', { name: 'Turn on two-step verification' }).click();
    await page
      .getByRole('alert')
      .getByText(/password is incorrect/)
      .waitFor();
    await currentPassword.fill('correct horse battery');
    await page.getByRole('button', { name: 'Turn on two-step verification' }).click();
    const secret = (await page.getByTestId('totp-secret').textContent()) ?? '';
    await awayFromTotpStepEdge();
    await page
      .getByLabel('Code from the app')
      .fill(hotp(base32Decode(secret), totpStep(new Date())));
    await page.getByRole('button', { name: 'Confirm code' }).click();
    await page.getByRole('heading', { name: 'Two-step verification is on' }).waitFor();
    await accessible('03-settings-2fa');

    // Log out, and back in with the second step (a recovery code: the TOTP code just used
    // cannot be used again in the same 30 seconds).
    const recovery =
      (await page
        .getByRole('list', { name: 'Recovery codes' })
        .locator('li')
        .first()
        .textContent()) ?? '';
    await page.getByRole('button', { name: 'Log out' }).click();
    // Log-out lands on Log in, with the email remembered.
    await screen('Log in');
    assert.equal(await page.getByLabel('Email').inputValue(), email);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await screen('Two-step verification');
    await accessible('03b-login-2fa');
    await page.getByLabel('Code from your authenticator app').fill(recovery.trim());
    await page.getByRole('button', { name: 'Verify' }).click();
    await screen('Home');
    // Settings now says two-step verification is on (and offers no second enrolment).
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await screen('Settings');
    assert.match(await page.getByTestId('two-factor-status').innerText(), /On/);
    assert.equal(await page.getByLabel('Current password').count(), 0);

    // Top up from a card: the card form posts straight to the vault.
    await page.getByRole('link', { name: 'Home', exact: true }).click();
    await screen('Home');
    await page.getByRole('link', { name: 'Top up', exact: true }).click();
    await screen('Add a card');
    await accessible('04-add-card');
    await page.getByLabel('Card number').fill('4242 4242 4242 4242');
    await page.getByLabel('Expiry month (MM)').fill('12');
    await page.getByLabel('Expiry year (YYYY)').fill('2030');
    await page.getByLabel('Security code').fill('123');
    await page.getByRole('button', { name: 'Save card' }).click();
    await screen('Top up');
    await page.getByLabel('Amount').fill('100');
    await page.getByRole('button', { name: 'Top up', exact: true }).click();
    await page.getByRole('heading', { name: '$100.00 added' }).waitFor();
    // Finished: no armed form is left to charge the card a second time.
    assert.equal(await page.getByRole('button', { name: 'Top up', exact: true }).count(), 0);
    assert.equal(await page.getByLabel('Amount').isVisible(), false);
    await page.getByRole('button', { name: 'Top up again' }).waitFor();
    await accessible('05-topup-done');

    // Send: three taps from home (Send, Review, Send $12.50).
    await page.getByRole('link', { name: 'Back to home', exact: true }).click();
    await screen('Home');
    assert.equal(await page.getByTestId('balance').textContent(), '$100.00');
    await page.getByRole('link', { name: 'Send', exact: true }).click();
    // Nobody by that address: said at the field, before any review, with what was typed kept.
    await page.getByLabel('To').fill('nobody-here@kassa.test');
    await page.getByLabel('Amount').fill('12.50');
    await page.getByRole('button', { name: 'Review' }).click();
    await page.getByText('No Kassa user or wallet matches that recipient.').waitFor();
    assert.equal(await page.getByLabel('To').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByLabel('Amount').inputValue(), '12.50');
    await page.getByLabel('To').fill(friend.email);
    await page.getByRole('button', { name: 'Review' }).click();
    await screen('Review transfer');
    const review = await page.locator('dl.review').innerText();
    assert.match(review, /\$12\.50/);
    assert.match(review, /Fee\s+\$0\.00/);
    assert.match(review, /Balance after\s+\$87\.50/);
    assert.match(review, /First payment to this person/);
    assert.doesNotMatch(review, /nobody-here/);
    await accessible('06-send-review');
    // Back (the link, then the system gesture) returns to the filled form; reload keeps the step.
    await page.getByRole('link', { name: '‹ Back' }).click();
    await screen('Send money');
    assert.equal(await page.getByLabel('To').inputValue(), friend.email);
    assert.equal(await page.getByLabel('Amount').inputValue(), '12.50');
    await page.getByRole('button', { name: 'Review' }).click();
    await screen('Review transfer');
    await page.reload();
    await screen('Review transfer');
    await page.goBack();
    await screen('Send money');
    assert.equal(await page.getByLabel('Amount').inputValue(), '12.50');
    await page.getByRole('button', { name: 'Review' }).click();
    await screen('Review transfer');
    await page.getByRole('button', { name: 'Send $12.50' }).click();
    await screen('Done');
    // The success moment names who was paid (as Kassa shows them), with the receipt to share.
    await page.getByRole('heading', { name: /^\$12\.50 sent to Bo F/ }).waitFor();
    await page.getByRole('button', { name: 'Share receipt' }).waitFor();
    await accessible('07-send-done');
    assert.equal(await balanceOf(friend.walletId, friend.token), 1_250);
    // A returning user sends to a recent recipient from Home: the form opens filled in.
    await page.getByRole('link', { name: 'Back to home', exact: true }).click();
    await screen('Home');
    await page.getByRole('group', { name: 'Send again' }).getByRole('button').first().click();
    await screen('Send money');
    assert.equal(await page.getByLabel('To').inputValue(), friend.email);
    assert.equal(await page.getByLabel('Amount').inputValue(), '');

    // Pay a merchant by pasting its QR payload.
    await page.getByRole('link', { name: 'Pay', exact: true }).click();
    await screen('Pay');
    await accessible('08-pay');
    // A photo of the code: Chromium on Linux has no BarcodeDetector, so this is the
    // WebAssembly reader that iOS browsers and Firefox use too.
    const code = `kassa:pay?merchant=${merchant.id}&amount=2000&currency=USD`;
    await page.getByLabel('Or a photo of the code').setInputFiles({
      name: 'code.png',
      mimeType: 'image/png',
      buffer: await QRCode.toBuffer(code, { width: 400, margin: 4 }),
    });
    await page.getByText('$20.00 to a Kassa merchant').waitFor();
    assert.equal(await page.getByLabel('Or paste the payment code').inputValue(), code);
    await page.getByRole('button', { name: 'Review payment' }).click();
    await screen('Pay merchant');
    assert.match(await page.locator('dl.review').innerText(), /Test Shop/);
    // Back keeps the code; a pay link opens the same review.
    await page.getByRole('link', { name: '‹ Back' }).click();
    await screen('Pay');
    assert.equal(await page.getByLabel('Or paste the payment code').inputValue(), code);
    await page.goto(`${baseUrl}/app/#/pay/link?merchant=${merchant.id}&amount=2000&currency=USD`);
    await screen('Pay merchant');
    assert.match(await page.locator('dl.review').innerText(), /Test Shop/);
    // Beside the name the merchant chose, who the operator verified it is (or that nobody did).
    const profile = (
      await t.request('GET', `/v1/merchants/${merchant.id}`, { token: friend.token })
    ).json<{ verified_name?: string | null }>();
    assert.equal(
      await page.getByTestId('merchant-identity').innerText(),
      typeof profile.verified_name === 'string'
        ? `Verified: ${profile.verified_name}`
        : 'Not verified',
    );
    await page.getByRole('button', { name: 'Pay $20.00' }).click();
    await screen('Done');

    // The merchant refunds part of it; the payer sees it in the history.
    const payments = await t.request('GET', '/v1/payments', { token: merchant.secretKey });
    const paymentId = payments.json<{ data: { id: string }[] }>().data[0]?.id;
    const refund = await t.request('POST', '/v1/refunds', {
      token: merchant.secretKey,
      key: `refund-${Date.now()}`,
      body: { payment: paymentId, amount: 500 },
    });
    assert.equal(refund.statusCode, 201, refund.body);
    await page.getByRole('link', { name: 'History', exact: true }).click();
    await screen('History');
    await page
      .getByText('Refund from Test Shop')
      .waitFor({ timeout: 10_000 })
      .catch(async (error: unknown) => {
        throw new Error(`no refund row: ${await page.locator('body').innerText()}`, {
          cause: error,
        });
      });
    assert.match(await page.getByRole('list', { name: 'History' }).innerText(), /\+\$5\.00/);
    await accessible('09-history');
    await page.getByText('Refund from Test Shop').click();
    await screen('Receipt');
    assert.match(await page.locator('dl.review').innerText(), /KS-[0-9A-Z]{5}-[0-9A-Z]{5}/);
    await accessible('10-receipt');
  },
);

it(
  'offline: two payments wait on the phone, then each completes exactly once when the connection returns',
  { timeout: 120_000 },
  async () => {
    const before = await balanceOf(friend.walletId, friend.token);
    await page.getByRole('link', { name: 'Home', exact: true }).click();
    await screen('Home');
    await page.getByRole('list', { name: 'Recent activity' }).waitFor();
    await context.setOffline(true);
    await page.getByText('Last known balance: you are offline').waitFor();
    for (const amount of ['10.00', '5.00']) {
      await page.getByRole('link', { name: 'Send', exact: true }).click();
      await page.getByLabel('To').fill(friend.email);
      await page.getByLabel('Amount').fill(amount);
      await page.getByRole('button', { name: 'Review' }).click();
      await page.getByRole('button', { name: `Send $${amount}` }).click();
      await screen('Pending');
      await page.getByText('has not been paid yet').waitFor();
      await page.getByRole('link', { name: 'Back to home', exact: true }).click();
      await screen('Home');
    }
    await page.getByRole('list', { name: 'Waiting on this phone' }).waitFor();
    assert.equal(await page.getByText('Queued on this phone').count(), 2);
    await accessible('11-offline-queued');
    // No tab says "did not load" offline: History shows the copy kept on the phone, Settings
    // says what comes back online, and a merchant paid before is paid from its kept profile.
    await page.getByRole('link', { name: 'History', exact: true }).click();
    await screen('History');
    await page.getByText('You are offline: this is your history as of').waitFor();
    assert.ok((await page.getByRole('list', { name: 'History' }).locator('li').count()) > 0);
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await screen('Settings');
    await page.getByText('Your devices show again when you are back online.').waitFor();
    await page.getByRole('link', { name: 'Pay', exact: true }).click();
    await screen('Pay');
    await page
      .getByLabel('Or paste the payment code')
      .fill(`kassa:pay?merchant=${shop.id}&amount=300&currency=USD`);
    await page.getByRole('button', { name: 'Review payment' }).click();
    await screen('Pay merchant');
    assert.match(await page.locator('dl.review').innerText(), /Test Shop/);
    await page.getByRole('button', { name: 'Pay $3.00' }).click();
    await screen('Pending');
    await page.getByRole('link', { name: 'Home', exact: true }).click();
    await screen('Home');
    // Still offline, the app opens again from its service worker with the queue intact.
    await page.reload();
    await screen('Home');
    await page.getByText('Last known balance: you are offline').waitFor();
    assert.equal(await page.getByText('Queued on this phone').count(), 3);
    assert.equal(
      await balanceOf(friend.walletId, friend.token),
      before,
      'nothing moved while offline',
    );

    await context.setOffline(false);
    for (let i = 0; (await balanceOf(friend.walletId, friend.token)) !== before + 1_500; i += 1) {
      assert.ok(i < 100, 'the queued payments were sent when the connection returned');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await page.getByRole('list', { name: 'Waiting on this phone' }).waitFor({ state: 'detached' });
    // Each queued payment that went out was said so.
    await page.getByText('Queued payment sent:').first().waitFor();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(
      await balanceOf(friend.walletId, friend.token),
      before + 1_500,
      'each exactly once',
    );
    await accessible('12-home-after-sync');
  },
);

it(
  'a payment the fraud rules hold for review says so, and why, in plain words',
  { timeout: 120_000 },
  async () => {
    // Two named operators: one writes the rule, the other approves it; it applies at once.
    const operators = [];
    for (const name of ['e2e.maker', 'e2e.checker']) {
      const created = await t.request('POST', '/v1/admin/operators', {
        token: t.operatorKey,
        body: { name },
      });
      assert.equal(created.statusCode, 201, created.body);
      operators.push(created.json<{ key: string }>().key);
    }
    const [maker, checker] = operators as [string, string];
    const submitted = await t.request('POST', '/v1/admin/risk/rule_sets', {
      token: maker,
      body: {
        description: 'Hold 7.77 for a check (test)',
        rules: [
          {
            name: 'lucky_sevens',
            when: 'amount == 777',
            action: 'review',
            reason: {
              code: 'test_hold',
              message: 'Payments of this amount are checked by a person.',
            },
          },
        ],
      },
    });
    assert.equal(submitted.statusCode, 201, submitted.body);
    const approved = await t.request(
      'POST',
      `/v1/admin/risk/rule_sets/${submitted.json<{ id: string }>().id}/approve`,
      { token: checker, body: {} },
    );
    assert.equal(approved.statusCode, 200, approved.body);

    const before = await balanceOf(friend.walletId, friend.token);
    await page.getByRole('link', { name: 'Send', exact: true }).click();
    await page.getByLabel('To').fill(friend.email);
    await page.getByLabel('Amount').fill('7.77');
    await page.getByRole('button', { name: 'Review' }).click();
    await page.getByRole('button', { name: 'Send $7.77' }).click();
    await screen('On hold');
    await page.getByRole('heading', { name: 'On hold for a quick check' }).waitFor();
    assert.match(
      await page.locator('ul.reasons').innerText(),
      /Payments of this amount are checked by a person\./,
    );
    await accessible('13-on-hold');
    assert.equal(await balanceOf(friend.walletId, friend.token), before, 'nothing reached them');

    // A refusal says its real reason with the button that fixes it, and Back keeps the form.
    await page.getByRole('link', { name: 'Back to home', exact: true }).click();
    await screen('Home');
    await page.getByRole('link', { name: 'Send', exact: true }).click();
    await page.getByLabel('To').fill(friend.email);
    await page.getByLabel('Amount').fill('900');
    await page.getByRole('button', { name: 'Review' }).click();
    await screen('Review transfer');
    await page.getByRole('button', { name: 'Send $900.00' }).click();
    await page
      .getByRole('alert')
      .getByText(/balance is too low/)
      .waitFor();
    await page.getByRole('button', { name: 'Change the details' }).click();
    await screen('Send money');
    assert.equal(await page.getByLabel('Amount').inputValue(), '900');
    await page.getByRole('link', { name: 'Home', exact: true }).click();
    await screen('Home');
  },
);

it(
  'dark theme: every screen reads in the dark scheme too (axe, contrast included)',
  { timeout: 60_000 },
  async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    try {
      await page.getByRole('link', { name: 'Home', exact: true }).click();
      await screen('Home');
      const background = await page.evaluate(
        () => getComputedStyle(document.documentElement).backgroundColor,
      );
      assert.equal(background, 'rgb(18, 18, 22)');
      await accessible('14-home-dark');
      await page.getByRole('link', { name: 'Send', exact: true }).click();
      await screen('Send money');
      await accessible('15-send-dark');
      await page.getByRole('link', { name: 'Settings', exact: true }).click();
      await screen('Settings');
      await accessible('16-settings-dark');
    } finally {
      await page.emulateMedia({ colorScheme: 'light' });
    }
  },
);

it(
  'passkeys: offered after sign-up, then a returning user is home in one tap (virtual authenticator)',
  { timeout: 90_000 },
  async () => {
    // WebAuthn needs a domain (not an IP address): the same server, as localhost.
    const origin = baseUrl.replace('127.0.0.1', 'localhost');
    const keyContext = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    const keyPage = await keyContext.newPage();
    try {
      const cdp = await keyContext.newCDPSession(keyPage);
      await cdp.send('WebAuthn.enable');
      const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
        options: {
          protocol: 'ctap2',
          transport: 'internal',
          hasResidentKey: true,
          hasUserVerification: true,
          isUserVerified: true,
          automaticPresenceSimulation: true,
        },
      });
      await keyPage.goto(`${origin}/app/`);
      await keyPage.getByRole('heading', { level: 1, name: 'Welcome to Kassa' }).waitFor();
      const email = `passkey-${Date.now().toString(36)}@kassa.test`;
      await keyPage.getByLabel('Your name').fill('Grace Hopper');
      await keyPage.getByLabel('Email').fill(email);
      await keyPage.getByLabel('Password').fill('correct horse battery');
      await keyPage.getByRole('button', { name: 'Create account' }).click();
      await keyPage.getByRole('heading', { name: 'Log in faster next time' }).waitFor();
      await keyPage.getByRole('button', { name: 'Add a passkey' }).click();
      await keyPage.getByText('Passkey added').waitFor();
      const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      assert.equal(credentials.length, 1);
      assert.equal(credentials[0]?.isResidentCredential, true);

      await keyPage.getByRole('link', { name: 'Settings', exact: true }).click();
      await keyPage.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
      await keyPage.getByRole('button', { name: 'Log out' }).click();
      await keyPage.getByRole('heading', { level: 1, name: 'Log in' }).waitFor();
      // One tap: the passkey, no password, no code.
      await keyPage.getByRole('button', { name: 'Log in with a passkey' }).click();
      await keyPage.getByRole('heading', { level: 1, name: 'Home' }).waitFor();
      const after = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      assert.ok((after.credentials[0]?.signCount ?? 0) >= 1, 'the counter moved');

      const stored = await t.system.db.query<{ counter: string; last_used_at: Date | null }>(
        `select counter, last_used_at from passkeys p join users u on u.id = p.user_id where u.email = $1`,
        [email],
      );
      assert.equal(stored.length, 1);
      assert.ok(Number(stored[0]!.counter) >= 1 && stored[0]!.last_used_at !== null);
      const audit = await t.system.db.query<{ action: string }>(
        `select action from audit_log where action in ('passkey.added', 'login.passkey')
         and actor = (select 'user:' || id from users where email = $1) order by seq`,
        [email],
      );
      assert.deepEqual(
        audit.map((a) => a.action),
        ['passkey.added', 'login.passkey'],
      );
    } finally {
      await keyContext.close();
    }
  },
);

it(
  'fits every phone: 320, 390 and 430 px wide, at 100% and 200% text, nothing clipped or overflowing',
  { timeout: 90_000 },
  async () => {
    const problems: string[] = [];
    try {
      for (const width of [320, 390, 430]) {
        await page.setViewportSize({ width, height: 844 });
        for (const text of ['100%', '200%']) {
          for (const [tab, title] of [
            ['Home', 'Home'],
            ['History', 'History'],
            ['Pay', 'Pay'],
            ['Settings', 'Settings'],
          ] as const) {
            await page.locator('nav.tabs').getByRole('link', { name: tab, exact: true }).click();
            await screen(title);
            const found = await page.evaluate((size) => {
              document.documentElement.style.fontSize = size;
              const issues: string[] = [];
              const root = document.scrollingElement ?? document.documentElement;
              if (root.scrollWidth > window.innerWidth + 1)
                issues.push(`page ${root.scrollWidth}px wide`);
              for (const el of document.querySelectorAll<HTMLElement>(
                'nav.tabs a, button, .button, .pill, h1, h2, label',
              )) {
                if (el.offsetParent === null) continue;
                if (el.scrollWidth > el.clientWidth + 1)
                  issues.push(
                    `${el.tagName.toLowerCase()} "${el.textContent?.trim().slice(0, 30) ?? ''}" clipped`,
                  );
              }
              return issues;
            }, text);
            problems.push(...found.map((f) => `${width}px ${text} ${title}: ${f}`));
          }
        }
        await page.evaluate(() => (document.documentElement.style.fontSize = ''));
      }
    } finally {
      await page.evaluate(() => (document.documentElement.style.fontSize = ''));
      await page.setViewportSize({ width: 390, height: 844 });
    }
    assert.deepEqual(problems, []);
  },
);
