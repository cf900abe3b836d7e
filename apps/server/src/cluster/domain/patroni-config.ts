/**
 * Patroni's configuration for one PostgreSQL node of `npm run cluster`, as JSON (YAML is a
 * superset, and Patroni reads it). Failover timing: the leader key lives `ttl` 5 s and is renewed
 * every `loop_wait` 1 s, so a dead primary's node is replaced within about 5 s; a crashed
 * PostgreSQL under a live Patroni is failed over at once (`master_start_timeout` 0), which
 * synchronous replication makes safe: only the synchronous standby may take over, and it has
 * every acknowledged commit.
 */
export interface PatroniNode {
  readonly name: string;
  readonly scope: string;
  readonly dataDir: string;
  readonly postgresPort: number;
  readonly restPort: number;
  readonly etcdPort: number;
  readonly binDir: string;
  readonly socketDir: string;
  readonly superuserPassword: string;
  readonly replicationPassword: string;
  readonly pgpassFile: string;
  /** Refuse commits without a synchronous standby (true) or go on alone (false). */
  readonly syncStrict: boolean;
}

export function patroniConfig(node: PatroniNode): string {
  const config = {
    scope: node.scope,
    name: node.name,
    log: { level: 'WARNING' },
    restapi: {
      listen: `127.0.0.1:${node.restPort}`,
      connect_address: `127.0.0.1:${node.restPort}`,
    },
    etcd3: { hosts: `127.0.0.1:${node.etcdPort}` },
    bootstrap: {
      dcs: {
        ttl: 5,
        loop_wait: 1,
        retry_timeout: 2,
        master_start_timeout: 0,
        synchronous_mode: true,
        synchronous_mode_strict: node.syncStrict,
        postgresql: {
          use_pg_rewind: true,
          parameters: {
            wal_level: 'replica',
            hot_standby: 'on',
            wal_log_hints: 'on',
            max_connections: 300,
            max_wal_senders: 10,
            max_replication_slots: 10,
            // Request data stays out of the server's log (runbook: PostgreSQL settings).
            log_min_error_statement: 'panic',
            log_error_verbosity: 'terse',
          },
        },
      },
      initdb: [{ encoding: 'UTF8' }, { 'auth-host': 'scram-sha-256' }, 'data-checksums'],
    },
    postgresql: {
      listen: `127.0.0.1:${node.postgresPort}`,
      connect_address: `127.0.0.1:${node.postgresPort}`,
      data_dir: node.dataDir,
      bin_dir: node.binDir,
      pgpass: node.pgpassFile,
      // A new standby copies the primary at once (a spread checkpoint would wait minutes).
      basebackup: [{ checkpoint: 'fast' }],
      pg_hba: [
        'local all all trust',
        'host replication replicator 127.0.0.1/32 scram-sha-256',
        'host all all 127.0.0.1/32 scram-sha-256',
      ],
      authentication: {
        replication: { username: 'replicator', password: node.replicationPassword },
        superuser: { username: 'postgres', password: node.superuserPassword },
        rewind: { username: 'postgres', password: node.superuserPassword },
      },
      parameters: { unix_socket_directories: node.socketDir },
    },
    // No hardware watchdog here: a hung (not dead) primary is fenced by the leader key alone.
    watchdog: { mode: 'off' },
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}
