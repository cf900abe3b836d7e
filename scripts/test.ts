/**
 * `npm test`: picks a PostgreSQL (TEST_DATABASE_URL, else the local one on 127.0.0.1:5432, else
 * an embedded one it boots itself), migrates a template database once, then runs every
 * `*.test.ts` file with node's test runner. Each test file clones the template into its own
 * database, so files run in parallel without sharing data.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import pg from 'pg';
import { migrate, migrationsDir } from '../apps/server/src/platform/migrate.ts';
import { createDb } from '../apps/server/src/platform/db.ts';
import { loadConfig } from '../apps/server/src/config/config.ts';
import { loadSecrets } from '../apps/server/src/main/secrets.ts';
import {
  postgresAnswers,
  startEmbeddedPostgres,
} from '../apps/server/src/platform/embedded-postgres.ts';

const root = join(import.meta.dirname, '..');

function findTests(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) findTests(path, out);
    else if (entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

async function pickDatabase(): Promise<{ adminUrl: string; stop?: () => Promise<void> }> {
  const explicit = process.env['TEST_DATABASE_URL'];
  if (explicit !== undefined && explicit !== '') return { adminUrl: explicit };
  const local = 'postgres://postgres@127.0.0.1:5432/postgres';
  if (postgresAnswers(local)) return { adminUrl: local };
  console.log('No PostgreSQL on 127.0.0.1:5432: starting an embedded one for the tests.');
  const dataDir = join(root, '.kassa', 'test');
  const { postgresPassword } = await loadSecrets(loadConfig({ KASSA_DATA_DIR: dataDir }));
  const embedded = await startEmbeddedPostgres({ dataDir, port: 5499, password: postgresPassword });
  return { adminUrl: embedded.connectionString, stop: () => embedded.stop() };
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function prepareTemplate(adminUrl: string): Promise<string> {
  const hash = createHash('sha256');
  for (const name of readdirSync(migrationsDir).sort())
    hash.update(name).update(readFileSync(join(migrationsDir, name)));
  const template = `kassa_template_${hash.digest('hex').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const exists = await admin.query('select 1 from pg_database where datname = $1', [template]);
    if (exists.rowCount === 0) {
      await admin.query(`create database ${template}_wip`).catch(async () => {
        await admin.query(`drop database if exists ${template}_wip`);
        await admin.query(`create database ${template}_wip`);
      });
      const db = createDb({
        connectionString: withDatabase(adminUrl, `${template}_wip`),
        poolSizeMax: 2,
        applicationName: 'kassa-test-setup',
      });
      await migrate(db);
      await db.close();
      await admin.query(`alter database ${template}_wip rename to ${template}`);
    }
  } finally {
    await admin.end();
  }
  return template;
}

const { adminUrl, stop } = await pickDatabase();
const template = await prepareTemplate(adminUrl);
const only = process.argv.slice(2);
const files = (
  only.length > 0 ? only : findTests(join(root, 'apps')).concat(findTests(join(root, 'packages')))
)
  .map((file) => relative(root, file))
  .sort();

/**
 * What a kind of test needs from Debian, installed by the project's own script when that kind
 * of test is in the run (nobody installs anything by hand): Chromium for browser tests,
 * pgBackRest for disaster recovery, HAProxy/Patroni/etcd for the cluster, promtool/amtool for
 * the rule tests.
 */
const needs: ReadonlyArray<readonly [suffix: string, script: string]> = [
  ['.e2e.test.ts', 'ensure-chromium.sh'],
  ['.dr.test.ts', 'ensure-pgbackrest.sh'],
  ['.cluster.test.ts', 'ensure-cluster-packages.sh'],
  ['.ops.test.ts', 'ensure-prometheus.sh'],
];
for (const [suffix, script] of needs) {
  if (!files.some((file) => file.endsWith(suffix))) continue;
  const installed = spawnSync('bash', [join(root, 'scripts', script)], { stdio: 'inherit' });
  if (installed.status !== 0) throw new Error(`scripts/${script} failed`);
}

const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
  {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      KASSA_TEST_ADMIN_URL: adminUrl,
      KASSA_TEST_TEMPLATE: template,
      LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'silent',
    },
  },
);
let passed = 0;
let failed = 0;
let buffered = '';
child.stdout.on('data', (chunk: Buffer) => {
  process.stdout.write(chunk);
  buffered += chunk.toString('utf8');
  const lines = buffered.split('\n');
  buffered = lines.pop() ?? '';
  for (const line of lines) {
    const pass = /^ℹ pass (\d+)/.exec(line);
    const fail = /^ℹ fail (\d+)/.exec(line);
    if (pass?.[1] !== undefined) passed = Number(pass[1]);
    if (fail?.[1] !== undefined) failed = Number(fail[1]);
  }
});
const code = await new Promise<number>((resolve) =>
  child.on('close', (status) => resolve(status ?? 1)),
);
await stop?.();
console.log(`${passed} passed, ${failed} failed`);
process.exit(code === 0 && failed === 0 ? 0 : 1);
