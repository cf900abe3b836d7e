/**
 * `npm run kassa -- <command>`: operator commands. Uses DATABASE_URL, or the embedded database
 * of `npm start` when it is unset.
 *   migrate            apply pending migrations (safe while other processes run)
 *   verify             recompute every balance from the journal and the journal's hash chain;
 *                      exit 1 on any mismatch
 *   expire             run the worker's jobs once (hold expiry, key reaper, unfinished top-ups
 *                      and payouts resolved with the processor)
 *   reconcile          compare the ledger with the processor's settlement report; exit 1 on any
 *                      mismatch (PROCESSOR_URL, or the stand-in of `npm start`)
 *   audit verify       recompute the audit log's hash chain; exit 1 on a broken link
 *   listen --forward-to URL --api-key sk_… [--api-url URL]
 *                      forward a merchant's events to a local URL, signed (for development)
 *   keys rotate        add a key-encryption key, re-wrap every card's data key and re-seal every
 *                      sealed secret (2FA seeds, webhook secrets, bank accounts) online
 *   backup [--type full|diff|incr] [--repo N] | backup list | backup config
 *                      take a backup, list what the backups can restore, configure pgBackRest
 *   restore --to <time|latest> --port P [--data DIR] | --in-place --yes
 *                      point-in-time restore beside the live cluster (or over it)
 *   dr drill           back up, restore to a moment between two backups, prove the copy right
 *   risk simulate|train|evaluate
 *                      the fraud model: synthetic traffic, training and evaluation (no database)
 *   anomaly replay [--seed N] [--days N] [--json]
 *                      the business-slice anomaly detector on synthetic traffic with injected
 *                      incidents: recall, detection delay, false alerts a week (no database)
 *   (each with --help)
 *   trace <req_…|pay_…|trf_…|top_…|po_…|fnd_…> [--json]
 *                      the story of a request or payment: spans of every process, log lines,
 *                      journal events, webhook deliveries, the processor flow, the risk decision
 *   nats-config        print the NATS server configuration for NATS_STREAM and the worker's two
 *                      NATS users (deploy/nats/nats-server.conf is it with the defaults)
 */
import { loadConfig, type Config } from '../config/config.ts';
import { migrate } from '../platform/migrate.ts';
import { verifyAuditLog } from '../modules/audit/index.ts';
import { readAnchors, verifyJournalSeal } from '../modules/journal/index.ts';
import { reconcile } from '../modules/rails/index.ts';
import { addKek } from '../platform/keyring.ts';
import { resealColumns } from '../platform/reseal.ts';
import { rekeyRecoveryCodes } from '../modules/identity/index.ts';
import { forwardEvents, newWebhookSecret } from '../modules/webhooks/index.ts';
import { defaultNatsUsers, natsServerConfig } from '../modules/events/index.ts';
import { runMain } from './process-lifecycle.ts';
import { backupCommand } from './backup-cli.ts';
import { anomalyCommand } from './anomaly-cli.ts';
import { riskCommand } from './risk-cli.ts';
import { traceCommand } from './trace-cli.ts';
import { needsDatabase, riskDatabaseCommand } from './risk-database-cli.ts';
import { withSystem } from './cli-system.ts';
import { eventConsumerNames } from './system.ts';

const usage =
  'usage: kassa <migrate|verify|expire|reconcile|audit verify|keys rotate|backup|restore|dr drill|nats-config|risk|anomaly replay|trace ID|listen --forward-to URL --api-key KEY> (backup, restore, dr, risk and anomaly take --help)';

/** The value after `--name` on the command line, if given. */
function flag(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? undefined : process.argv[at + 1];
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

await runMain('kassa', async () => {
  const command = process.argv[2];
  const config = loadConfig();
  let code = 0;
  switch (command) {
    case 'migrate':
      code = await withSystem(config, async (system) => {
        const report = await migrate(system.db);
        say(
          report.applied.length === 0
            ? `up to date (${report.alreadyApplied} migrations)`
            : `applied: ${report.applied.join(', ')}`,
        );
        return 0;
      });
      break;
    case 'verify':
      code = await withSystem(config, async (system) => {
        const report = await system.ledger.verify();
        say(JSON.stringify(report, null, 2));
        say(
          report.balanced
            ? `ledger OK: ${report.accounts_checked} accounts, ${report.transfers_checked} transfers, Σdebits = Σcredits`
            : `LEDGER MISMATCH: ${report.mismatches.length} difference(s)`,
        );
        const anchors =
          config.journalAnchorFile === null ? [] : readAnchors(config.journalAnchorFile);
        const seal = await verifyJournalSeal(system.db.pool, anchors);
        say(
          seal.intact
            ? `journal chain OK: ${seal.sealed} events sealed, ${seal.unsealed} not sealed yet, ${seal.anchors_checked} anchors match`
            : seal.anchor_mismatch !== null
              ? `JOURNAL CHAIN REWRITTEN: the anchor of ${seal.anchor_mismatch.at} at position ${seal.anchor_mismatch.position} does not match`
              : `JOURNAL CHAIN BROKEN at position ${seal.first_broken_position}`,
        );
        return report.balanced && seal.intact ? 0 : 1;
      });
      break;
    case 'expire':
      code = await withSystem(config, async (system) => {
        const worker = system.startWorker(3_600_000);
        const result = await worker.runOnce();
        await worker.stop();
        say(JSON.stringify(result));
        return 0;
      });
      break;
    case 'listen': {
      const forwardTo = flag('forward-to');
      const apiKey = flag('api-key');
      if (forwardTo === undefined || apiKey === undefined) {
        process.stderr.write(`${usage}\n`);
        code = 2;
        break;
      }
      const secret = newWebhookSecret();
      const stop = new AbortController();
      process.once('SIGINT', () => stop.abort());
      process.once('SIGTERM', () => stop.abort());
      say(
        `Ready. Forwarding events to ${forwardTo}; webhook signing secret ${secret} (Ctrl-C to quit)`,
      );
      await forwardEvents({
        apiUrl: (flag('api-url') ?? `http://127.0.0.1:${config.port}`).replace(/\/+$/, ''),
        apiKey,
        forwardTo,
        secret,
        signal: stop.signal,
        report: say,
      });
      break;
    }
    case 'reconcile': {
      const withProcessor: Config = {
        ...config,
        processor: {
          ...config.processor,
          url: config.processor.url ?? `http://127.0.0.1:${config.processor.simPort}`,
        },
      };
      code = await withSystem(withProcessor, async (system) => {
        if (system.processor === null) return 2;
        const report = await reconcile({
          db: system.db,
          processor: system.processor,
          clock: system.clock,
        });
        say(JSON.stringify(report, null, 2));
        say(
          report.mismatches.length === 0
            ? `reconciled: ${report.matched} matched, ${report.in_flight} in flight, 0 mismatches`
            : `RECONCILIATION: ${report.mismatches.length} mismatch(es), ${report.matched} matched, ${report.in_flight} in flight`,
        );
        return report.mismatches.length === 0 ? 0 : 1;
      });
      break;
    }
    case 'audit':
      if (process.argv[3] !== 'verify') {
        process.stderr.write(`${usage}\n`);
        code = 2;
        break;
      }
      code = await withSystem(config, async (system) => {
        const report = await verifyAuditLog(system.db.pool);
        say(JSON.stringify(report, null, 2));
        say(
          report.intact
            ? `audit log OK: ${report.entries_checked} entries, chain intact`
            : `AUDIT LOG TAMPERED at entry ${report.first_broken_seq}`,
        );
        return report.intact ? 0 : 1;
      });
      break;
    case 'keys':
      if (process.argv[3] !== 'rotate' || config.vaultKeysJson !== undefined) {
        process.stderr.write(
          config.vaultKeysJson !== undefined
            ? 'kassa: keys come from KASSA_VAULT_KEYS; add the new key there, then run rotate with a key file\n'
            : `${usage}\n`,
        );
        code = 2;
        break;
      }
      code = await withSystem(config, async (system) => {
        const keys = addKek(config.vaultKeyFile);
        say(`new key-encryption key ${keys.current}; re-wrapping data keys…`);
        const moved = await system.vault.rewrapAll((done, total) => {
          const width = 30;
          const filled = total === 0 ? width : Math.round((done / total) * width);
          process.stderr.write(
            `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`,
          );
        });
        process.stderr.write('\n');
        const resealed = await resealColumns(system.db, system.sealedColumns, keys.current);
        await rekeyRecoveryCodes(system.db, keys.lookupKey);
        say(
          `re-wrapped ${moved} card keys and re-sealed ${resealed} secrets (2FA seeds, webhook secrets, bank accounts) under ${keys.current}; older keys can be removed from ${config.vaultKeyFile}`,
        );
        return 0;
      });
      break;
    case 'backup':
    case 'restore':
    case 'dr':
      code = await backupCommand(command, process.argv.slice(3), config, say);
      break;
    case 'risk': {
      const args = process.argv.slice(3);
      code = needsDatabase(args)
        ? await withSystem(config, (system) =>
            riskDatabaseCommand(args, system.db.pool, system.clock.now(), config, say),
          )
        : riskCommand(args, config.dataDir, say);
      break;
    }
    case 'trace':
      code = await traceCommand(process.argv.slice(3), config, say);
      break;
    case 'anomaly':
      code = anomalyCommand(process.argv.slice(3), say);
      break;
    case 'nats-config': {
      // No database: the file depends on the stream, the consumers and the user names only.
      const users = config.nats.credentials;
      process.stdout.write(
        natsServerConfig({
          stream: config.nats.stream,
          consumers: eventConsumerNames,
          users: {
            publisher: users?.publisher.user ?? defaultNatsUsers.publisher,
            consumer: users?.consumer.user ?? defaultNatsUsers.consumer,
          },
        }),
      );
      break;
    }
    case undefined:
    default:
      process.stderr.write(`${usage}\n`);
      code = 2;
  }
  process.exit(code);
});
