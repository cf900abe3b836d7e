import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { chromiumPath } from './chromium.ts';

/** Debian's Chromium, headless, as the browser tests drive it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
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
}

/**
 * A fresh browser profile at a phone's size. Its pages share IndexedDB, Web Locks and
 * BroadcastChannel like a person's tabs. `serviceWorkers: 'block'` keeps background sync out of
 * tests that count requests (and lets `route` see every request).
 */
export function newProfile(
  browser: Browser,
  options: { serviceWorkers?: 'allow' | 'block' } = {},
): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'en-US',
    serviceWorkers: options.serviceWorkers ?? 'block',
  });
}

/** Waits for the screen titled `title`; fails with what the page shows instead. */
export async function waitForScreen(page: Page, title: string, timeoutMs = 30_000): Promise<void> {
  try {
    await page
      .getByRole('heading', { level: 1, name: title, exact: true })
      .waitFor({ timeout: timeoutMs });
  } catch (error) {
    const shown = await page
      .locator('body')
      .innerText()
      .catch(() => '(no page)');
    throw new Error(`screen "${title}" did not appear; the page says: ${shown}`, { cause: error });
  }
}

/** Opens the app and logs in; ends on home (or on whatever the app asks first). */
export async function logInInApp(
  page: Page,
  baseUrl: string,
  email: string,
  password = 'correct horse battery',
): Promise<void> {
  await page.goto(`${baseUrl}/app/#/login`);
  await waitForScreen(page, 'Log in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
}

/** From home: Send → recipient and amount → Review → Send; ends on the outcome screen. */
export async function sendInApp(
  page: Page,
  to: string,
  amount: string,
  outcome: 'Done' | 'Pending' | 'Not sent',
): Promise<void> {
  await page.getByRole('link', { name: 'Send', exact: true }).click();
  await waitForScreen(page, 'Send money');
  await page.getByLabel('To').fill(to);
  await page.getByLabel('Amount').fill(amount);
  await page.getByRole('button', { name: 'Review' }).click();
  await waitForScreen(page, 'Review transfer');
  await page.getByRole('button', { name: `Send $${amount}` }).click();
  await waitForScreen(page, outcome);
}

/** Goes to a tab of the bottom navigation (Home, History, Pay, Settings). */
export async function goToTab(page: Page, name: string): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name, exact: true })
    .click();
  await waitForScreen(page, name);
}

/** Waits for home with the balance loaded (not only its loading state). */
export async function waitForHome(page: Page): Promise<void> {
  await waitForScreen(page, 'Home');
  await page.getByTestId('balance').waitFor();
}
