import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { managedProcess, type ManagedProcess } from './managed-process.ts';
import type { ClusterPorts } from './topology.ts';

/** What every Kassa process of the cluster shares: one database, one set of secrets. */
export interface AppEnvironment {
  readonly root: string;
  readonly dir: string;
  readonly ports: ClusterPorts;
  readonly databaseUrl: string;
  readonly secrets: {
    readonly operatorKey: string;
    readonly tokenSecret: string;
    readonly processorApiKey: string;
    readonly processorCallbackSecret: string;
  };
  /** The supervisor's own environment, passed on (PATH, LOG_LEVEL, NATS_URL…). */
  readonly inherited: NodeJS.ProcessEnv;
}

function tsxProcess(
  app: AppEnvironment,
  name: string,
  script: string,
  env: NodeJS.ProcessEnv,
): ManagedProcess {
  const dataDir = join(app.dir, 'processes', name);
  mkdirSync(dataDir, { recursive: true });
  return managedProcess({
    name,
    command: process.execPath,
    args: ['--import', 'tsx', script],
    cwd: app.root,
    logFile: join(app.dir, 'logs', `${name}.log`),
    env: {
      ...app.inherited,
      DATABASE_URL: app.databaseUrl,
      KASSA_DATA_DIR: dataDir,
      KASSA_OPERATOR_KEY: app.secrets.operatorKey,
      KASSA_TOKEN_SECRET: app.secrets.tokenSecret,
      PROCESSOR_API_KEY: app.secrets.processorApiKey,
      PROCESSOR_CALLBACK_SECRET: app.secrets.processorCallbackSecret,
      PROCESSOR_URL: `http://127.0.0.1:${app.ports.processor}`,
      KASSA_VAULT_KEY_FILE: join(app.dir, 'vault-keys.json'),
      KASSA_JOURNAL_ANCHOR_FILE: join(app.dir, 'journal-anchors.jsonl'),
      // The load balancer is the only proxy: client addresses come from its X-Forwarded-For.
      TRUST_PROXY: '127.0.0.1/32',
      // The cluster's PostgreSQL is Patroni's; pgBackRest is set up per host (runbook).
      BACKUPS: 'off',
      // Every client of this one-machine topology is on the machine (the battery's webhook
      // receiver too); set WEBHOOK_ALLOW_LOOPBACK=false to refuse loopback receivers.
      WEBHOOK_ALLOW_LOOPBACK: app.inherited['WEBHOOK_ALLOW_LOOPBACK'] ?? 'true',
      ...env,
    },
  });
}

export function apiProcess(app: AppEnvironment, slot: number): ManagedProcess {
  return tsxProcess(app, `api-${slot}`, 'apps/server/src/main/api.ts', {
    HOST: '127.0.0.1',
    PORT: String(app.ports.apiSlot(slot)),
  });
}

export function workerProcess(app: AppEnvironment, n: number): ManagedProcess {
  return tsxProcess(app, `worker-${n}`, 'apps/server/src/main/worker-process.ts', {});
}

export function processorProcess(app: AppEnvironment): ManagedProcess {
  return tsxProcess(app, 'processor', 'apps/processor-sim/src/main.ts', {
    PROCESSOR_PORT: String(app.ports.processor),
    PROCESSOR_HOST: '127.0.0.1',
    PROCESSOR_CALLBACK_URL: `http://127.0.0.1:${app.ports.api}/v1/processor/callbacks`,
    PROCESSOR_DATA_FILE: join(app.dir, 'processor.json'),
  });
}

export function haproxyProcess(app: AppEnvironment, configFile: string): ManagedProcess {
  return managedProcess({
    name: 'haproxy',
    command: 'haproxy',
    args: ['-db', '-f', configFile],
    cwd: app.dir,
    logFile: join(app.dir, 'logs', 'haproxy.log'),
    env: { PATH: app.inherited['PATH'] ?? '/usr/sbin:/usr/bin:/bin' },
  });
}
