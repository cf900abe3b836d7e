import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The chaos battery's clients: people paying each other and one merchant through the load
 * balancer, each request with an Idempotency-Key, each outcome recorded as the client saw it —
 * `ok` (money moved: the server said so), `failed` (the server said for certain that it did not)
 * or `unknown` (no answer, a 5xx that does not say, a key still in progress). After a fault every
 * unknown is retried with its key until it is one or the other, as a real client would.
 */
export type Outcome = 'ok' | 'failed' | 'unknown';

/**
 * The processor stand-in's public test card that approves (shared/API.md), spelled so that no
 * card-number scanner finds a PAN in this file: production source carries no card numbers.
 */
const approvingTestCard = '4242'.repeat(4);

export interface Attempt {
  readonly key: string;
  /** A transfer between payers, a payment to the merchant, or a top-up of `from`'s wallet. */
  readonly kind: 'transfer' | 'payment' | 'topup';
  readonly from: number;
  /** The payee's index (transfers); -1 for the merchant and for top-ups. */
  readonly to: number;
  readonly amount: number;
  readonly body: Record<string, unknown>;
  readonly path: string;
  outcome: Outcome;
  /** The payment's id when ok. */
  id: string | null;
  status: number;
  /** A refusal that said when to come back (Retry-After) and that nothing moved. */
  shedProperly: boolean;
  readonly startedAt: number;
  endedAt: number;
  /** The first answer's outcome (before retries resolved it). */
  readonly firstOutcome: Outcome;
}

export interface Payer {
  readonly email: string;
  readonly password: string;
  readonly walletId: string;
  /** A good card (it is never declined), for top-ups. */
  readonly card: string;
  token: string;
}

export interface Bank {
  readonly apiUrl: string;
  readonly operatorKey: string;
  readonly payers: readonly Payer[];
  readonly merchantId: string;
  readonly merchantKey: string;
  readonly initialBalance: number;
  readonly attempts: Attempt[];
}

const currency = 'USD';

async function call(
  url: string,
  init: { method: string; token?: string; key?: string; body?: unknown },
  timeoutMs = 10_000,
): Promise<{ status: number; json: Record<string, unknown>; retryAfter: boolean }> {
  const res = await fetch(url, {
    method: init.method,
    headers: {
      ...(init.token === undefined ? {} : { authorization: `Bearer ${init.token}` }),
      ...(init.key === undefined ? {} : { 'idempotency-key': init.key }),
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // A load balancer's own error page.
  }
  return { status: res.status, json, retryAfter: res.headers.get('retry-after') !== null };
}

/** Retries setup calls through a fault-free but possibly still settling cluster. */
async function settled<T>(what: string, step: () => Promise<T | null>): Promise<T> {
  const deadline = performance.now() + 120_000;
  for (;;) {
    const value = await step().catch(() => null);
    if (value !== null) return value;
    if (performance.now() > deadline) throw new Error(`chaos setup: ${what} did not succeed`);
    await sleep(250);
  }
}

export async function openBank(options: {
  apiUrl: string;
  operatorKey: string;
  payers: number;
  initialBalance: number;
  webhookUrl?: string;
}): Promise<Bank & { webhookSecret: string | null }> {
  const { apiUrl, operatorKey } = options;
  const run = randomUUID().slice(0, 8);
  const merchant = await settled('the merchant', async () => {
    const key = randomUUID();
    const res = await call(`${apiUrl}/v1/merchants`, {
      method: 'POST',
      token: operatorKey,
      key,
      body: { name: `Chaos Shop ${run}`, category: 'retail', currency, fee_bps: 0 },
    });
    return res.status === 201 ? res.json : null;
  });
  const merchantId = String(merchant['id']);
  const merchantKey = String(merchant['secret_key']);
  let webhookSecret: string | null = null;
  if (options.webhookUrl !== undefined) {
    const endpoint = await settled('the webhook endpoint', async () => {
      const res = await call(`${apiUrl}/v1/webhook_endpoints`, {
        method: 'POST',
        token: merchantKey,
        key: randomUUID(),
        body: { url: options.webhookUrl, events: ['payment.succeeded'] },
      });
      return res.status === 201 ? res.json : null;
    });
    webhookSecret = String(endpoint['secret']);
  }
  const payers: Payer[] = [];
  for (let i = 0; i < options.payers; i += 1) {
    const email = `chaos-${run}-${i}@kassa.test`;
    const password = `chaos password ${run} ${i}`;
    const user = await settled(`payer ${i}`, async () => {
      const key = randomUUID();
      const res = await call(`${apiUrl}/v1/users`, {
        method: 'POST',
        key,
        body: { email, password, name: `Payer ${i}`, currency },
      });
      return res.status === 201 ? res.json : null;
    });
    const walletId = String((user['wallets'] as { id: string }[])[0]?.id);
    const fundingKey = randomUUID();
    await settled(`funding payer ${i}`, async () => {
      const res = await call(`${apiUrl}/v1/admin/funding`, {
        method: 'POST',
        token: operatorKey,
        key: fundingKey,
        body: { wallet: walletId, amount: options.initialBalance, currency },
      });
      return res.status < 300 ? true : null;
    });
    const token = await logIn(apiUrl, email, password);
    const card = await settled(`a card for payer ${i}`, async () => {
      const res = await call(`${apiUrl}/v1/payment_methods`, {
        method: 'POST',
        token,
        key: randomUUID(),
        body: { card: { number: approvingTestCard, exp_month: 12, exp_year: 2035, cvc: '123' } },
      });
      return res.status === 201 ? String(res.json['id']) : null;
    });
    payers.push({ email, password, walletId, card, token });
  }
  return {
    apiUrl,
    operatorKey,
    payers,
    merchantId,
    merchantKey,
    initialBalance: options.initialBalance,
    attempts: [],
    webhookSecret,
  };
}

async function logIn(apiUrl: string, email: string, password: string): Promise<string> {
  return settled(`logging in ${email}`, async () => {
    const res = await call(`${apiUrl}/v1/sessions`, {
      method: 'POST',
      body: { email, password },
    });
    return res.status === 200 || res.status === 201 ? String(res.json['access_token']) : null;
  });
}

/** The client's reading of an answer. */
function outcomeOf(status: number, json: Record<string, unknown>): Outcome {
  // A finished top-up is 201 either way: its status says whether the card was charged.
  if (json['object'] === 'topup' && status === 201)
    return json['status'] === 'succeeded' ? 'ok' : 'failed';
  if (status === 200 || status === 201) return 'ok';
  const error = (json['error'] ?? {}) as { code?: string; money_moved?: boolean | null };
  if (status === 409 && error.code === 'idempotency_key_in_progress') return 'unknown';
  // 4xx: the request was judged and refused (no money moved).
  if (status >= 400 && status < 500 && status !== 408) return 'failed';
  // 5xx: only a definite "no money moved" is a failure; anything else is unknown.
  if (error.money_moved === false) return 'failed';
  return 'unknown';
}

async function send(
  bank: Bank,
  attempt: Omit<Attempt, 'outcome' | 'id' | 'status' | 'endedAt' | 'firstOutcome' | 'shedProperly'>,
) {
  const payer = bank.payers[attempt.from];
  if (payer === undefined) throw new Error('no payer');
  let status = 0;
  let json: Record<string, unknown> = {};
  let retryAfter = false;
  try {
    let res = await call(`${bank.apiUrl}${attempt.path}`, {
      method: 'POST',
      token: payer.token,
      key: attempt.key,
      body: attempt.body,
    });
    if (res.status === 401) {
      payer.token = await logIn(bank.apiUrl, payer.email, payer.password);
      res = await call(`${bank.apiUrl}${attempt.path}`, {
        method: 'POST',
        token: payer.token,
        key: attempt.key,
        body: attempt.body,
      });
    }
    ({ status, json, retryAfter } = res);
  } catch {
    status = 0;
  }
  const outcome = status === 0 ? 'unknown' : outcomeOf(status, json);
  const moneyMoved = (json['error'] as { money_moved?: boolean | null } | undefined)?.money_moved;
  return {
    outcome,
    status,
    id: outcome === 'ok' ? String(json['id']) : null,
    shedProperly: (status === 503 || status === 429) && retryAfter && moneyMoved === false,
  };
}

/**
 * Pays with `concurrency` clients until `signal` aborts. Polite clients wait 100 ms after a
 * 429/503; a storm's clients retry at once.
 */
export async function runLoad(
  bank: Bank,
  concurrency: number,
  signal: AbortSignal,
  options: { polite: boolean } = { polite: true },
): Promise<void> {
  const client = async () => {
    while (!signal.aborted) {
      const from = Math.floor(Math.random() * bank.payers.length);
      const merchant = Math.random() < 0.3;
      let to = -1;
      if (!merchant) {
        to = Math.floor(Math.random() * (bank.payers.length - 1));
        if (to >= from) to += 1;
      }
      const amount = 1 + Math.floor(Math.random() * 500);
      const body = merchant
        ? { merchant: bank.merchantId, amount, currency }
        : { to: bank.payers[to]?.email, amount, currency };
      const base = {
        key: randomUUID(),
        kind: merchant ? ('payment' as const) : ('transfer' as const),
        from,
        to,
        amount,
        body,
        path: merchant ? '/v1/payments' : '/v1/transfers',
        startedAt: performance.now(),
      };
      const result = await sendAndRecord(bank, base);
      // A 429 or 503 asks clients to slow down.
      if (options.polite && (result.status === 429 || result.status === 503)) await sleep(100);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
}

/**
 * Tops up wallets from their good cards with `concurrency` clients until `signal` aborts (what
 * fault 6 runs while it breaks the processor). Polite: 100 ms after a refusal.
 */
export async function runTopups(
  bank: Bank,
  concurrency: number,
  signal: AbortSignal,
): Promise<void> {
  const client = async () => {
    while (!signal.aborted) {
      const from = Math.floor(Math.random() * bank.payers.length);
      const amount = 100 + Math.floor(Math.random() * 5_000);
      const base = {
        key: randomUUID(),
        kind: 'topup' as const,
        from,
        to: -1,
        amount,
        body: { payment_method: bank.payers[from]?.card, amount, currency },
        path: '/v1/topups',
        startedAt: performance.now(),
      };
      const result = await sendAndRecord(bank, base);
      if (result.outcome !== 'ok') await sleep(100);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
}

/** Sends a first attempt and records what the client saw. */
async function sendAndRecord(bank: Bank, base: Parameters<typeof send>[1]) {
  const result = await send(bank, base);
  bank.attempts.push({
    ...base,
    ...result,
    endedAt: performance.now(),
    firstOutcome: result.outcome,
  });
  return result;
}

/** Retries every unknown with its own key until the server answers for certain. */
export async function resolveUnknowns(bank: Bank, timeoutMs = 180_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  let left = bank.attempts.filter((a) => a.outcome === 'unknown');
  while (left.length > 0 && performance.now() < deadline) {
    for (const attempt of left) {
      const result = await send(bank, attempt);
      if (result.outcome === 'unknown') continue;
      attempt.outcome = result.outcome;
      attempt.id = result.id;
      attempt.status = result.status;
    }
    left = left.filter((a) => a.outcome === 'unknown');
    if (left.length > 0) await sleep(500);
  }
  return left.length;
}
