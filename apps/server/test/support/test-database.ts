import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * A fresh database for one test file, cloned from the migrated template that `npm test`
 * prepared. Dropped again by `drop()`.
 */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = process.env['KASSA_TEST_ADMIN_URL'];
  const template = process.env['KASSA_TEST_TEMPLATE'];
  if (adminUrl === undefined || template === undefined) {
    throw new Error('Run the tests with `npm test` (it prepares the test database).');
  }
  const name = `kassa_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  for (let attempt = 0; ; attempt += 1) {
    try {
      await admin.query(`create database ${name} template ${template}`);
      break;
    } catch (error) {
      // Another file may be cloning the same template this very moment.
      if (attempt >= 20 || !/being accessed by other users/.test((error as Error).message))
        throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 + attempt * 50));
    }
  }
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}
