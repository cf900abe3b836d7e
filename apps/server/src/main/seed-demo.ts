import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';

export interface DemoData {
  readonly users: { email: string; password: string; userId: string; walletId: string }[];
  readonly merchant: { id: string; name: string; secretKey: string };
}

const demoPassword = 'kassa-demo-password';

async function call(
  app: FastifyInstance,
  method: 'GET' | 'POST',
  url: string,
  token: string | null,
  body?: unknown,
  key?: string,
) {
  const response = await app.inject({
    method,
    url,
    headers: {
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...(key === undefined ? {} : { 'idempotency-key': key }),
    },
    ...(body === undefined ? {} : { payload: body as object }),
  });
  const json = response.json<Record<string, unknown>>();
  if (response.statusCode >= 400) throw new Error(`seed ${method} ${url} failed: ${response.body}`);
  return json;
}

/**
 * Seeds the quick-start demo through the public API (so it exercises the same paths as any
 * client): two users with funded wallets and a merchant. Runs once per data directory; the
 * result, including the merchant's demo secret key, is kept in `<dataDir>/demo.json`.
 */
export async function seedDemo(
  app: FastifyInstance,
  operatorKey: string,
  dataDir: string,
): Promise<DemoData> {
  const file = join(dataDir, 'demo.json');
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8')) as DemoData;
  const users: DemoData['users'] = [];
  for (const [name, email] of [
    ['Alice Demo', 'alice@kassa.test'],
    ['Bob Demo', 'bob@kassa.test'],
  ] as const) {
    const user = await call(
      app,
      'POST',
      '/v1/users',
      null,
      { email, password: demoPassword, name, currency: 'USD' },
      `seed-user-${email}`,
    );
    const wallets = user['wallets'] as { id: string }[];
    const walletId = wallets[0]?.id ?? '';
    await call(
      app,
      'POST',
      '/v1/admin/funding',
      operatorKey,
      { wallet: walletId, amount: 100_000, currency: 'USD', description: 'Demo funds' },
      `seed-fund-${email}`,
    );
    users.push({ email, password: demoPassword, userId: String(user['id']), walletId });
  }
  const merchant = await call(app, 'POST', '/v1/merchants', operatorKey, {
    name: 'Corner Café',
    category: 'food_and_drink',
    currency: 'USD',
    fee_bps: 290,
  });
  const demo: DemoData = {
    users,
    merchant: {
      id: String(merchant['id']),
      name: 'Corner Café',
      secretKey: String(merchant['secret_key']),
    },
  };
  await writeFile(file, `${JSON.stringify(demo, null, 2)}\n`, { mode: 0o600 });
  return demo;
}
