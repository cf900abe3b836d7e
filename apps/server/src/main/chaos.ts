/**
 * `npm run chaos` — the fault battery against `npm run cluster` (started here when it is not
 * running, and stopped again afterwards):
 *   npm run chaos                   every fault, a longer load each
 *   npm run chaos -- --short        faults 1, 2, 5 and 7 with small loads (what npm test runs)
 *   npm run chaos -- --faults 2,3   only these
 * Prints, per fault: payments, client-visible errors, lost and duplicated payments (must be 0),
 * the write gap and the time to recover; exit 1 when any bank check fails.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { childEnvironment, loadConfig } from '../config/config.ts';
import { alive, readTopology } from '../cluster/index.ts';
import {
  faults,
  openBank,
  reportTable,
  runFault,
  startWebhookReceiver,
  topupTable,
  type FaultReport,
} from '../chaos/index.ts';
import { runMain } from './process-lifecycle.ts';

const root = join(import.meta.dirname, '..', '..', '..', '..');
const say = (line: string) => process.stdout.write(`${line}\n`);

/**
 * The battery measures the platform, not the fraud policy: its few payers pay far more often
 * than a person, so the cluster it starts lifts the step-up and per-user limits.
 */
const batteryEnvironment = {
  STEP_UP_VELOCITY_MAX: '1000000',
  STEP_UP_LIMITS: 'USD=1000000/100000000',
  RATE_LIMIT_USER_PER_MINUTE: '1000000',
  // Two shared cores: past 32 requests at once per process, shed (fault 8 shows it).
  HTTP_IN_FLIGHT_MAX: '32',
};

function clusterCommand(command: 'up' | 'down'): void {
  const done = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(root, 'apps/server/src/main/cluster.ts'), command],
    { cwd: root, env: { ...childEnvironment(), ...batteryEnvironment }, stdio: 'inherit' },
  );
  if (done.status !== 0) throw new Error(`npm run cluster -- ${command} failed`);
}

await runMain('kassa-chaos', async () => {
  const config = loadConfig();
  const usage = `usage: npm run chaos [-- --short] [-- --faults ${faults.map((f) => f.number).join(',')}]\n`;
  let options: { short?: boolean; faults?: string };
  try {
    ({ values: options } = parseArgs({
      options: { short: { type: 'boolean' }, faults: { type: 'string' } },
    }));
  } catch {
    process.stderr.write(usage);
    process.exit(2);
  }
  const short = options.short === true;
  const wanted =
    options.faults !== undefined
      ? options.faults.split(',').map(Number)
      : short
        ? [1, 2, 5, 7]
        : faults.map((f) => f.number);
  if (wanted.some((n) => !faults.some((f) => f.number === n))) {
    process.stderr.write(usage);
    process.exit(2);
  }
  const dir = config.cluster.dir;
  const running = readTopology(dir);
  const ours = running === null || !alive(running.supervisorPid);
  if (ours) clusterCommand('up');
  else
    say(
      'using the running cluster: start it with STEP_UP_VELOCITY_MAX=1000000 STEP_UP_LIMITS=USD=1000000/100000000 RATE_LIMIT_USER_PER_MINUTE=1000000, or payments past the limits are declined (counted, not errors)',
    );
  const topology = readTopology(dir);
  if (topology === null) throw new Error('the cluster did not start');
  const receiver = await startWebhookReceiver();
  const reports: FaultReport[] = [];
  try {
    say(`a bank of ${short ? 12 : 24} payers and a merchant, through ${topology.apiUrl}…`);
    const bank = await openBank({
      apiUrl: topology.apiUrl,
      operatorKey: topology.operatorKey,
      payers: short ? 12 : 24,
      initialBalance: 1_000_000,
      webhookUrl: receiver.url,
    });
    for (const fault of faults.filter((f) => wanted.includes(f.number))) {
      const report = await runFault({
        bank,
        fault,
        dir,
        concurrency: short ? 4 : 8,
        steadySeconds: short ? 2 : 10,
        receiver,
        holdSeconds: short ? 30 : 300,
        say,
      });
      reports.push(report);
      say(reportTable([report]).at(-1) ?? '');
      for (const line of topupTable([report])) say(line);
    }
  } finally {
    await receiver.close();
    if (ours) clusterCommand('down');
  }
  say('');
  for (const line of reportTable(reports)) say(line);
  const topups = topupTable(reports);
  if (topups.length > 0) say(['', ...topups].join('\n'));
  const failed = reports.filter((r) => !r.check.passed || (r.webhooks?.missing ?? 0) > 0);
  say(
    failed.length === 0
      ? `every fault: 0 lost, 0 duplicated, every unknown resolved, money conserved, ledger balanced`
      : `FAILED: ${failed.map((r) => `fault ${r.fault.number} ${JSON.stringify(r.check)}`).join('; ')}`,
  );
  process.exit(failed.length === 0 ? 0 : 1);
});
