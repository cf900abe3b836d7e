import { KassaNetworkError } from '@kassa/sdk';
import type { App } from '../app.ts';
import { h } from '../dom.ts';
import { errorNotice, loading, withProgress } from '../feedback.ts';
import { logOut } from '../log-out.ts';
import { addPasskey, passkeysSupported } from '../passkey.ts';

interface DeviceRow {
  id: string;
  name: string;
  trusted: boolean;
  created_at: string;
}

/**
 * Two-step verification (TOTP) enrolment: the current password first (a stolen session alone
 * cannot add a factor), then the secret, then a code, then recovery codes.
 */
function twoFactorSection(app: App, enabled: boolean): HTMLElement {
  const section = h(
    'section',
    { 'aria-labelledby': 'twofa-title' },
    h('h2', { id: 'twofa-title' }, 'Two-step verification'),
  );
  if (enabled) {
    section.append(
      h(
        'p',
        { 'data-testid': 'two-factor-status' },
        h('span', { class: 'pill succeeded' }, 'On'),
        ' Payments above your limit and new phones ask for a code from your authenticator app.',
      ),
    );
    return section;
  }
  const password = h('input', {
    type: 'password',
    name: 'current-password',
    autocomplete: 'current-password',
    required: true,
    'aria-describedby': 'twofa-password-hint',
  });
  const start = h(
    'button',
    { type: 'submit', class: 'secondary' },
    'Turn on two-step verification',
  );
  const startForm = h(
    'form',
    { 'aria-labelledby': 'twofa-title' },
    h(
      'label',
      {},
      'Current password',
      password,
      h('span', { class: 'hint', id: 'twofa-password-hint' }, 'To confirm it is you.'),
    ),
    start,
  );
  const area = h('div', {});
  startForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void withProgress(start, 'Preparing…', async () => {
      try {
        const enrolment = await app.kassa.request<{ secret: string; otpauth_uri: string }>({
          method: 'POST',
          path: '/v1/2fa/totp',
          body: { password: password.value },
          idempotencyKey: crypto.randomUUID(),
        });
        password.value = '';
        const code = h('input', {
          type: 'text',
          inputmode: 'numeric',
          autocomplete: 'one-time-code',
          required: true,
        });
        const confirm = h('button', { type: 'submit' }, 'Confirm code');
        const problem = h('div', {});
        const form = h('form', {}, h('label', {}, 'Code from the app', code), problem, confirm);
        form.addEventListener('submit', (event) => {
          event.preventDefault();
          void withProgress(confirm, 'Checking…', async () => {
            try {
              const done = await app.kassa.request<{ recovery_codes: string[] }>({
                method: 'POST',
                path: '/v1/2fa/totp/confirm',
                body: { code: code.value.trim() },
                idempotencyKey: crypto.randomUUID(),
              });
              area.replaceChildren(
                h(
                  'div',
                  { class: 'notice success', role: 'status' },
                  h('h2', {}, 'Two-step verification is on'),
                  h(
                    'p',
                    {},
                    'Keep these recovery codes somewhere safe. Each works once if you lose your phone.',
                  ),
                  h(
                    'ul',
                    { class: 'mono', 'aria-label': 'Recovery codes' },
                    ...done.recovery_codes.map((c) => h('li', {}, c)),
                  ),
                ),
              );
              startForm.hidden = true;
            } catch (error) {
              problem.replaceChildren(errorNotice(error));
            }
          });
        });
        area.replaceChildren(
          h(
            'p',
            {},
            'Add this key to your authenticator app (or open the link on this phone), then enter the code it shows.',
          ),
          h('p', {}, 'Key: ', h('code', { 'data-testid': 'totp-secret' }, enrolment.secret)),
          h('p', {}, h('a', { href: enrolment.otpauth_uri }, 'Open in authenticator app')),
          form,
        );
      } catch (error) {
        area.replaceChildren(errorNotice(error));
      }
    });
  });
  section.append(startForm, area);
  return section;
}

function devicesList(devices: readonly DeviceRow[], thisDevice: string | undefined): HTMLElement {
  if (devices.length === 0) return h('p', { class: 'empty' }, 'No devices yet.');
  return h(
    'ul',
    { class: 'list', 'aria-label': 'Devices' },
    ...devices.map((d) =>
      h(
        'li',
        {},
        h(
          'div',
          { class: 'row' },
          h(
            'span',
            { class: 'what' },
            h('span', {}, `${d.name}${d.id === thisDevice ? ' (this phone)' : ''}`),
            h('span', { class: 'when' }, new Date(d.created_at).toLocaleDateString('en')),
          ),
          h(
            'span',
            { class: `pill ${d.trusted ? 'succeeded' : 'requires_action'}` },
            d.trusted ? 'Trusted' : 'Not trusted yet',
          ),
        ),
      ),
    ),
  );
}

/** Log-out, always offered; it says what happens to payments still waiting on this phone. */
function accountSection(app: App): Node[] {
  const button = h('button', { type: 'button', class: 'secondary' }, 'Log out');
  button.addEventListener('click', () => {
    void withProgress(button, 'Logging out…', () => logOut(app));
  });
  const waiting = app.kassa.outbox
    .list()
    .filter((r) => r.state === 'queued_on_device' || r.state === 'processing').length;
  const note =
    waiting === 0
      ? []
      : [
          h(
            'p',
            { class: 'hint' },
            `${waiting === 1 ? '1 payment waits' : `${waiting} payments wait`} on this phone. Logged out, nothing is sent; it is sent when you log in here again.`,
          ),
        ];
  return [h('h2', {}, 'Account'), h('p', {}, app.me?.email ?? ''), ...note, button];
}

/** Devices, two-step verification and logging out (offered even when devices do not load). */
export async function renderSettings(app: App): Promise<void> {
  app.show('Settings', [loading('Loading your devices…')], { tab: '#/settings' });
  const [devices, me] = await Promise.all([
    app.kassa
      .request<{ data: DeviceRow[] }>({ method: 'GET', path: '/v1/devices' })
      .then((answer) => devicesList(answer.data, app.kassa.device()?.id))
      .catch((error: unknown) =>
        error instanceof KassaNetworkError
          ? h('p', { class: 'empty' }, 'Your devices show again when you are back online.')
          : errorNotice(error),
      ),
    app.kassa.me().catch(() => app.me),
  ]);
  if (me !== null) app.me = me;
  app.show(
    'Settings',
    [
      twoFactorSection(app, me?.two_factor_enabled === true),
      ...passkeySection(app),
      h('h2', {}, 'Devices'),
      devices,
      ...accountSection(app),
    ],
    { tab: '#/settings' },
  );
}

/** Passkeys: log in with the phone's lock instead of a password (and no code). */
function passkeySection(app: App): Node[] {
  if (!passkeysSupported()) return [];
  const status = h('div', { 'aria-live': 'polite' });
  const add = h('button', { type: 'button', class: 'secondary' }, 'Add a passkey');
  add.addEventListener('click', () => {
    void withProgress(add, 'Waiting for your phone…', async () => {
      try {
        await addPasskey(app, `Passkey on ${navigator.platform || 'this phone'}`);
        status.replaceChildren(
          h(
            'p',
            { class: 'notice success', role: 'status' },
            'Passkey added. Next time, log in with it: no password, no code.',
          ),
        );
      } catch (error) {
        status.replaceChildren(errorNotice(error));
      }
    });
  });
  return [
    h('h2', {}, 'Passkeys'),
    h('p', {}, 'Log in with your face, fingerprint or screen lock instead of a password.'),
    status,
    h('p', {}, add),
  ];
}
