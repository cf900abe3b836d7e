import type { App } from '../app.ts';
import { showReview } from '../checkout.ts';
import { h } from '../dom.ts';
import { errorNotice, loading, withProgress } from '../feedback.ts';
import { verifiedNameOf } from '../merchant-identity.ts';
import { parsePayload } from '../pay-code.ts';

type Detector = { detect(source: CanvasImageSource): Promise<{ rawValue: string }[]> };

/** Reads a QR code with the camera where the browser can (BarcodeDetector). */
async function scan(video: HTMLVideoElement): Promise<string> {
  const Barcode = (globalThis as { BarcodeDetector?: new (o: object) => Detector }).BarcodeDetector;
  if (Barcode === undefined)
    throw new Error('This browser cannot scan codes. Paste the code instead.');
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { facingMode: 'environment' },
  });
  video.srcObject = stream;
  await video.play();
  const detector = new Barcode({ formats: ['qr_code'] });
  try {
    for (let i = 0; i < 600; i += 1) {
      const [found] = await detector.detect(video);
      if (found !== undefined) return found.rawValue;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('No code found. Paste the code instead.');
  } finally {
    for (const track of stream.getTracks()) track.stop();
  }
}

/**
 * Pay a merchant: scan or paste its QR payload → review (merchant name and verified identity,
 * fee) → confirm.
 */
export async function renderPay(app: App): Promise<void> {
  const payload = h('textarea', {
    name: 'payload',
    rows: 3,
    required: true,
    'aria-describedby': 'payload-hint',
  });
  const problem = h('div', { 'aria-live': 'polite' });
  const video = h('video', {
    class: 'no-print',
    playsinline: true,
    muted: true,
    'aria-label': 'Camera',
    hidden: true,
  });
  const scanButton = h('button', { type: 'button', class: 'secondary' }, 'Scan QR code');
  const review = h('button', { type: 'submit' }, 'Review payment');
  const form = h(
    'form',
    {},
    scanButton,
    video,
    h(
      'label',
      {},
      'Or paste the payment code',
      payload,
      h('span', { class: 'hint', id: 'payload-hint' }, 'It starts with kassa:pay?'),
    ),
    problem,
    review,
  );
  async function proceed(text: string): Promise<void> {
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
    app.show('Review payment', [loading('Looking up the merchant…')], { back: '#/pay' });
    const [merchant, me] = await Promise.all([
      app.kassa.merchant(request.merchant),
      app.me ?? app.kassa.me(),
    ]);
    app.me = me;
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
      submit: () =>
        app.kassa.pay({
          merchant: request.merchant,
          amount: request.amount,
          currency: request.currency,
          ...(request.description === undefined ? {} : { description: request.description }),
        }),
    });
  }
  scanButton.addEventListener('click', () => {
    video.hidden = false;
    void withProgress(scanButton, 'Scanning…', async () => {
      try {
        await proceed(await scan(video));
      } catch (error) {
        video.hidden = true;
        problem.replaceChildren(errorNotice(error));
      }
    });
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void withProgress(review, 'Checking…', () =>
      proceed(payload.value).catch((error: unknown) => {
        app.show(
          'Pay',
          [errorNotice(error, [{ label: 'Try again', run: () => void renderPay(app) }])],
          { tab: '#/pay' },
        );
      }),
    );
  });
  app.show('Pay', [form], { tab: '#/pay' });
}
