import type { App } from '../app.ts';
import { h } from '../dom.ts';
import { errorNotice, loading, withProgress } from '../feedback.ts';
import { lastSeenKey } from './home.ts';

interface DeviceRow {
  id: string;
  name: string;
  trusted: boolean;
  created_at: string;
}

/** Two-step verification (TOTP) enrolment: the secret, then a code, then recovery codes. */
function twoFactorSection(app: App): HTMLElement {
  const section = h(
    'section',
    { 'aria-labelledby': 'twofa-title' },
    h('h2', { id: 'twofa-title' }, 'Two-step verification'),
  );
  const start = h(
    'button',
    { type: 'button', class: 'secondary' },
    'Turn on two-step verification',
  );
  const area = h('div', {});
  start.addEventListener('click', () => {
    void withProgress(start, 'Preparing…', async () => {
      try {
        const enrolment = await app.kassa.request<{ secret: string; otpauth_uri: string }>({
          method: 'POST',
          path: '/v1/2fa/totp',
          idempotencyKey: crypto.randomUUID(),
        });
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
              start.hidden = true;
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
  section.append(start, area);
  return section;
}

/** Devices, two-step verification and logging out. */
export async function renderSettings(app: App): Promise<void> {
  app.show('Settings', [loading('Loading your devices…')], { tab: '#/settings' });
  const devices = await app.kassa.request<{ data: DeviceRow[] }>({
    method: 'GET',
    path: '/v1/devices',
  });
  const logOut = h('button', { type: 'button', class: 'secondary' }, 'Log out');
  logOut.addEventListener('click', () => {
    void withProgress(logOut, 'Logging out…', async () => {
      await app.kassa.logOut();
      localStorage.removeItem(lastSeenKey);
      app.me = null;
      app.go('#/welcome');
    });
  });
  const thisDevice = app.kassa.device()?.id;
  app.show(
    'Settings',
    [
      twoFactorSection(app),
      h('h2', {}, 'Devices'),
      devices.data.length === 0
        ? h('p', { class: 'empty' }, 'No devices yet.')
        : h(
            'ul',
            { class: 'list', 'aria-label': 'Devices' },
            ...devices.data.map((d) =>
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
                    d.trusted ? 'Trusted' : 'Needs 2FA',
                  ),
                ),
              ),
            ),
          ),
      h('h2', {}, 'Account'),
      h('p', {}, app.me?.email ?? ''),
      logOut,
    ],
    { tab: '#/settings' },
  );
}
