import type { App } from '../app.ts';
import { h } from '../dom.ts';
import { errorNotice, withProgress } from '../feedback.ts';
import { logInWithPasskey, offerPasskeyLater, passkeysSupported } from '../passkey.ts';
import { rememberEmail, rememberedEmail } from '../remembered-email.ts';
import { renderHeldPayments } from './held-payments.ts';

function field(label: string, input: HTMLInputElement | HTMLSelectElement, hint?: string) {
  return h(
    'label',
    {},
    label,
    input,
    hint === undefined ? null : h('span', { class: 'hint' }, hint),
  );
}

/** Enrolls this user's own signing key on this phone (once per user), then shows home. */
async function enterApp(app: App): Promise<void> {
  if (app.kassa.device() === null)
    await app.kassa
      .enrollDevice(`Web app (${navigator.platform || 'browser'})`)
      .catch(() => undefined);
  app.go('#/home');
}

/** Another account's unsent payments are never sent under this one: the person is asked first. */
async function afterSignIn(app: App): Promise<void> {
  app.me = null;
  const others = app.kassa.outbox.othersWaiting();
  if (others > 0) return renderHeldPayments(app, others, () => enterApp(app));
  await enterApp(app);
}

/** Sign up or log in (with the 2FA step when it is on). */
export async function renderWelcome(app: App, mode: 'signup' | 'login' = 'signup'): Promise<void> {
  const problem = h('div', {});
  const switcher = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      on: { click: () => void renderWelcome(app, mode === 'signup' ? 'login' : 'signup') },
    },
    mode === 'signup' ? 'I already have an account' : 'Create an account instead',
  );
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'email', required: true });
  const password = h('input', {
    type: 'password',
    name: 'password',
    autocomplete: mode === 'signup' ? 'new-password' : 'current-password',
    required: true,
    minlength: mode === 'signup' ? 10 : 1,
  });
  const name = h('input', { type: 'text', name: 'name', autocomplete: 'name', required: true });
  const currency = h(
    'select',
    { name: 'currency' },
    ...['USD', 'EUR', 'GBP', 'JPY'].map((c) => h('option', { value: c }, c)),
  );
  const submit = h('button', { type: 'submit' }, mode === 'signup' ? 'Create account' : 'Log in');
  const form = h(
    'form',
    { novalidate: false },
    ...(mode === 'signup' ? [field('Your name', name)] : []),
    field('Email', email),
    field('Password', password, mode === 'signup' ? 'At least 10 characters.' : undefined),
    ...(mode === 'signup' ? [field('Wallet currency', currency)] : []),
    submit,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    problem.replaceChildren();
    void withProgress(
      submit,
      mode === 'signup' ? 'Creating your account…' : 'Logging in…',
      async () => {
        try {
          const result =
            mode === 'signup'
              ? await app.kassa.signUp({
                  email: email.value,
                  password: password.value,
                  name: name.value,
                  currency: currency.value,
                })
              : await app.kassa.logIn({ email: email.value, password: password.value });
          rememberEmail(email.value);
          if (result.status === 'requires_2fa') return renderTwoFactor(app, result.challengeId);
          if (mode === 'signup' && passkeysSupported()) offerPasskeyLater();
          await afterSignIn(app);
        } catch (error) {
          problem.replaceChildren(errorNotice(error));
        }
      },
    );
  });
  const passkeyButton =
    mode === 'login' && passkeysSupported()
      ? h('button', { type: 'button', class: 'secondary' }, 'Log in with a passkey')
      : null;
  passkeyButton?.addEventListener('click', () => {
    problem.replaceChildren();
    void withProgress(passkeyButton, 'Waiting for your passkey…', async () => {
      try {
        await logInWithPasskey(app);
        await afterSignIn(app);
      } catch (error) {
        problem.replaceChildren(errorNotice(error));
      }
    });
  });
  // Log-out comes back here with the email the person last used on this phone.
  if (mode === 'login') email.value = rememberedEmail() ?? '';
  app.show(mode === 'signup' ? 'Welcome to Kassa' : 'Log in', [
    h('p', {}, 'Your wallet for paying shops and sending money to friends — even offline.'),
    problem,
    ...(passkeyButton === null ? [] : [h('p', {}, passkeyButton)]),
    form,
    h('p', {}, switcher),
  ]);
}

function renderTwoFactor(app: App, challengeId: string): void {
  const problem = h('div', {});
  const code = h('input', {
    type: 'text',
    name: 'code',
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    required: true,
  });
  const submit = h('button', { type: 'submit' }, 'Verify');
  const form = h(
    'form',
    {},
    h(
      'label',
      {},
      'Code from your authenticator app',
      code,
      h('span', { class: 'hint' }, 'Or one of your recovery codes.'),
    ),
    submit,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void withProgress(submit, 'Verifying…', async () => {
      try {
        await app.kassa.completeTwoFactor(challengeId, code.value.trim());
        await afterSignIn(app);
      } catch (error) {
        problem.replaceChildren(errorNotice(error));
      }
    });
  });
  app.show('Two-step verification', [problem, form]);
}
