import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { Config } from '../config/config.ts';
import { traceStory, traceStoryText } from '../modules/traces/index.ts';
import type { Queryable } from '../platform/db.ts';
import { loadSecrets } from './secrets.ts';

const usage = 'usage: kassa trace <req_…|pay_…|trf_…|top_…|po_…|fnd_…> [--json]';

/**
 * `kassa trace <id>`: the whole story of a request or a payment, in time order (or as JSON).
 * Reads the live database directly and loads nothing else, so it answers in well under a
 * second; only when the embedded database of `npm start` is not running does it start it (and
 * load the rest).
 */
export async function traceCommand(
  args: readonly string[],
  config: Config,
  say: (line: string) => void,
): Promise<number> {
  const subject = args.find((arg) => !arg.startsWith('--'));
  if (subject === undefined) {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  const json = args.includes('--json');
  const tell = async (q: Queryable): Promise<number> => {
    try {
      const story = await traceStory(q, subject);
      say(json ? JSON.stringify(story, bigintAsString, 2) : traceStoryText(story));
      if (config.tracing.otlpEndpoint !== undefined && !json)
        say('(OTEL_EXPORTER_OTLP_ENDPOINT is set: spans and log lines are at the collector)');
      return story.entries.length === 0 && story.payments.length === 0 ? 1 : 0;
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      process.stderr.write(`kassa trace: ${error.message}\n${usage}\n`);
      return 2;
    }
  };
  const client = await liveDatabase(config);
  if (client === null) {
    const { withSystem } = await import('./cli-system.ts');
    return withSystem(config, (system) => tell(system.db.pool));
  }
  try {
    return await tell(client);
  } finally {
    await client.end();
  }
}

function bigintAsString(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** DATABASE_URL, or the embedded cluster of `npm start` while it runs; null: neither answers. */
async function liveDatabase(config: Config): Promise<pg.Client | null> {
  let url = config.databaseUrl;
  if (url === undefined) {
    if (!existsSync(join(config.dataDir, 'pg', 'postmaster.pid'))) return null;
    const { postgresPassword } = await loadSecrets(config);
    url = `postgres://postgres:${encodeURIComponent(postgresPassword)}@127.0.0.1:${config.embeddedPostgresPort}/kassa`;
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  await client.connect();
  return client;
}
