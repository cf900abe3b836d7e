import { currentMe, readThrough } from '../offline-cache.ts';
import type { App } from '../app.ts';
import { showReview } from '../checkout.ts';
import { h } from '../dom.ts';
import { errorNotice, loading, withProgress } from '../feedback.ts';
import { verifiedNameOf } from '../merchant-identity.ts';
import { formatMoney } from '../money.ts';
import { parsePayload } from '../pay-code.ts';
import { clearPayDraft, payDraft, savePayDraft } from '../pay-draft.ts';
import { qrDetector, readQrFromImage } from '../qr-reader.ts';

/** Reads a QR code from the camera (the browser's detector, or the WebAssembly one). */
async function scan(video: HTMLVideoElement): Promise<string> {
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { facingMode: 'environment' },
  });
  video.srcObject = stream;
  await video.play();
  const detector = await qrDetector();
  try {
    for (let i = 0; i < 600; i += 1) {
      const [found] = await detector.detect(video);
      if (found !== undefined) return found.rawValue;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('No code found. Try a photo of the code, or paste it.');
  } finally {
    for (const track of stream.getTracks()) track.stop();
  }
}

/**
 * Pay a merchant, step 1 (#/pay): scan the code with the camera, read it from a photo, paste
 * it, or open a pay link; what it asks for shows as soon as a code is there. Step 2 is
 * #/pay/review (merchant name and verified identity, fee) → confirm.
 */
export function renderPay(app: App): void {
  const payload = h('textarea', {
    name: 'payload',
    rows: 3,
    required: true,
    'aria-describedby': 'payload-hint',
  });
  payload.value = payDraft() ?? '';
  const preview = h('p', { class: 'hint', 'data-testid': 'pay-preview', 'aria-live': 'polite' });
  const problem = h('div', { 'aria-live': 'polite' });
  const video = h('video', {
    class: 'no-print',
    playsinline: true,
    muted: true,
    'aria-label': 'Camera',
    hidden: true,
  });
  const scanButton = h('button', { type: 'button', class: 'secondary' }, 'Scan QR code');
  const photo = h('input', { type: 'file', accept: 'image/*', capture: 'environment' });
  const pasteButton = h('button', { type: 'button', class: 'secondary' }, 'Paste');
  const review = h('button', { type: 'submit' }, 'Review payment');
  const form = h(
    'form',
    {},
    scanButton,
    video,
    h('label', {}, 'Or a photo of the code', photo),
    h(
      'label',
      {},
      'Or paste the payment code',
      payload,
      h('span', { class: 'hint', id: 'payload-hint' }, 'It starts with kassa:pay?'),
    ),
    pasteButton,
    preview,
    problem,
    review,
  );
  /** What the code asks for, in words, as soon as there is one (or why it is not one). */
  function showPreview(): void {
    const text = payload.value.trim();
    payload.removeAttribute('aria-invalid');
    if (text === '') return void preview.replaceChildren();
    const request = parsePayload(text);
    preview.textContent =
      request === null
        ? 'That is not a Kassa payment code yet.'
        : `${formatMoney(request.amount, request.currency)} to a Kassa merchant${request.description === undefined ? '' : ` · ${request.description}`}`;
  }
  function proceed(text: string): void {
    const request = parsePayload(text);
    if (request === null) {
      payload.setAttribute('aria-invalid', 'true');
      problem.replaceChildren(
        h(
          'p',
          { class: 'notice error', role: 'alert' },
          'That is not a Kassa payment code. No money moved.',
        ),
      );
      return;
    }
    savePayDraft(text.trim());
    app.go('#/pay/review');
  }
  payload.addEventListener('input', showPreview);
  showPreview();
  scanButton.addEventListener('click', () => {
    video.hidden = false;
    void withProgress(scanButton, 'Scanning…', async () => {
      try {
        payload.value = await scan(video);
        showPreview();
        proceed(payload.value);
      } catch (error) {
        video.hidden = true;
        problem.replaceChildren(errorNotice(error));
      }
    });
  });
  photo.addEventListener('change', () => {
    const file = photo.files?.[0];
    if (file === undefined) return;
    void withProgress(review, 'Reading the code…', async () => {
      try {
        const text = await readQrFromImage(file);
        if (text === null) throw new Error('No payment code found in that picture.');
        payload.value = text;
        showPreview();
        problem.replaceChildren();
      } catch (error) {
        problem.replaceChildren(errorNotice(error));
      }
    });
  });
  pasteButton.addEventListener('click', () => {
    void navigator.clipboard
      .readText()
      .then((text) => {
        payload.value = text;
        showPreview();
      })
      .catch(() => {
        payload.focus();
        preview.textContent = 'Paste the code into the box (long-press, Paste).';
      });
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    proceed(payload.value);
  });
  app.show('Pay', [form], { tab: '#/pay' });
}

/** A pay link (`…/app/#/pay/link?merchant=…&amount=…&currency=…`) opens its review. */
export function openPayLink(app: App, query: string): void {
  savePayDraft(`kassa:pay?${query}`);
  app.go('#/pay/review');
}

/** Pay a merchant, step 2 (#/pay/review). */
export async function renderPayReview(app: App): Promise<void> {
  const request = parsePayload(payDraft() ?? '');
  if (request === null) return app.go('#/pay');
  app.show('Pay merchant', [loading('Looking up the merchant…')], { back: '#/pay' });
  try {
    // Offline, a merchant paid before from this phone is known from its kept profile; one
    // never seen needs a connection once (who it is must be checked).
    const [{ value: merchant }, me] = await Promise.all([
      readThrough(app, `merchant:${request.merchant}`, () => app.kassa.merchant(request.merchant)),
      currentMe(app),
    ]);
    const wallet = me.wallets.find((w) => w.currency === request.currency);
    showReview(app, {
      title: 'Pay merchant',
      verb: 'Pay',
      back: '#/pay',
      recipient: merchant.name,
      // The display name is the merchant's own choice; the verified name is not.
      verifiedName: verifiedNameOf(merchant),
      amount: request.amount,
      currency: request.currency,
      fee: 0,
      feeNote: ' (the merchant pays it)',
      balance: wallet?.available ?? 0,
      submit: async () => {
        const record = await app.kassa.pay({
          merchant: request.merchant,
          amount: request.amount,
          currency: request.currency,
          ...(request.description === undefined ? {} : { description: request.description }),
        });
        // A refused payment keeps its form: the fix is one tap away, nothing is retyped.
        if (record.state !== 'failed') clearPayDraft();
        return record;
      },
    });
  } catch (error) {
    app.show(
      'Pay merchant',
      [errorNotice(error, [{ label: 'Back to the code', run: () => app.go('#/pay') }])],
      { back: '#/pay' },
    );
  }
}
