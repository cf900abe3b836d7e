import { randomBytes, randomInt } from 'node:crypto';
import { luhnValid } from '../kernel/luhn.ts';
import { createUser, preparePasswordHash } from '../modules/identity/index.ts';
import type { System } from './system.ts';

/** The account that holds the restore drill's planted card numbers (it cannot log in). */
export const drillAccountEmail = 'dr-drill@kassa.invalid';

/** A fresh Visa-shaped, Luhn-valid number nobody else has. */
function canaryNumber(): string {
  let body = '4';
  while (body.length < 15) body += String(randomInt(10));
  const check = [...'0123456789'].find((digit) => luhnValid(`${body}${digit}`)) ?? '0';
  return `${body}${check}`;
}

/**
 * Plants a card number for the drill the way a customer's card arrives: through the vault,
 * on the drill's own account (made once, with a password nobody knows). Returns the number,
 * which the drill then must find in no repository file and no restored table or file.
 */
export async function plantDrillCard(system: System): Promise<string> {
  const found = await system.db.query<{ id: string }>(
    'select id from users where lower(email) = $1',
    [drillAccountEmail],
  );
  let userId = found[0]?.id;
  if (userId === undefined) {
    const passwordHash = await preparePasswordHash(randomBytes(32).toString('base64url'));
    const created = await system.db.transaction(async (client) =>
      createUser(client, system.ledger, {
        email: drillAccountEmail,
        passwordHash,
        name: 'Restore drill',
        currency: 'USD',
      }),
    );
    userId = created.existingUserId ?? created.user.id;
  }
  const number = canaryNumber();
  const nextYear = new Date().getUTCFullYear() + 1;
  await system.vault.storeCard(userId, {
    number,
    exp_month: 12,
    exp_year: nextYear,
    cvc: String(randomInt(100, 1000)),
  });
  return number;
}
