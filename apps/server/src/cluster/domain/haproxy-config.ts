/**
 * HAProxy's configuration for `npm run cluster`:
 * - `api`: the API processes, as slots of a `server-template` the supervisor fills and empties
 *   through the runtime API (the elastic tier). Health is `/readyz`; a process that drains
 *   (SIGTERM) answers 503 there and is taken out. A request is retried on another process only
 *   when it never reached one (connection refused) or when it is safe to repeat: a GET, or a
 *   request with an Idempotency-Key (Kassa replays it rather than moving money twice).
 * - `postgres`: TCP to whichever node Patroni says is the primary (`GET /primary` = 200); when a
 *   node stops being it, its connections are cut, so no client keeps writing to an old primary.
 */
export interface HaproxyLayout {
  readonly apiPort: number;
  readonly postgresPort: number;
  readonly statsPort: number;
  readonly socket: string;
  readonly apiSlots: readonly number[];
  readonly databaseNodes: readonly { readonly postgres: number; readonly patroni: number }[];
}

const loadBalancerRefusal = JSON.stringify({
  error: {
    type: 'api_error',
    code: 'service_unavailable',
    message: 'Kassa is temporarily unavailable. Nothing was charged; try again shortly.',
    money_moved: false,
    retryable: true,
    next_action: 'retry_later',
  },
});

export function haproxyConfig(layout: HaproxyLayout): string {
  const [firstSlot] = layout.apiSlots;
  return [
    'global',
    `  stats socket ${layout.socket} mode 600 level admin`,
    '  maxconn 4096',
    '',
    'defaults',
    '  mode http',
    '  timeout connect 1s',
    '  timeout client 65s',
    '  timeout server 65s',
    '  timeout queue 5s',
    '  timeout tunnel 1h',
    '  retries 3',
    '  option redispatch 1',
    '',
    'frontend api',
    `  bind 127.0.0.1:${layout.apiPort}`,
    '  option forwardfor',
    '  default_backend api',
    '',
    'backend api',
    '  balance leastconn',
    // HAProxy's own refusals (no process up, queue timeout) in the API's error shape: the
    // request reached no process, so nothing moved.
    `  http-error status 503 content-type application/json hdr Retry-After 1 string '${loadBalancerRefusal}'`,
    '  option httpchk GET /readyz',
    '  http-check expect status 200',
    '  retry-on conn-failure empty-response response-timeout',
    '  http-request disable-l7-retry if !METH_GET !METH_HEAD !{ req.hdr(idempotency-key) -m found }',
    // A check answered in up to 2 s counts (without `timeout check` HAProxy allows `inter`,
    // 500 ms: a busy but healthy process would be marked down, and a tier of one then answers
    // 503 to everyone). Three failures in a row take a process out; draining and scaling down
    // go through the runtime API and do not wait for this.
    '  timeout check 2s',
    '  default-server inter 500ms fall 3 rise 1',
    `  server-template api 1-${layout.apiSlots.length} 127.0.0.1:${firstSlot} check disabled`,
    '',
    'listen postgres',
    '  mode tcp',
    `  bind 127.0.0.1:${layout.postgresPort}`,
    '  timeout client 30m',
    '  timeout server 30m',
    // OPTIONS: Patroni answers with the status alone (a GET's body would be cut off mid-write).
    '  option httpchk OPTIONS /primary',
    '  http-check expect status 200',
    '  default-server inter 500ms fall 1 rise 1 on-marked-down shutdown-sessions',
    ...layout.databaseNodes.map(
      (node, i) => `  server pg${i + 1} 127.0.0.1:${node.postgres} check port ${node.patroni}`,
    ),
    '',
    'listen stats',
    `  bind 127.0.0.1:${layout.statsPort}`,
    '  stats enable',
    '  stats uri /',
    '  stats refresh 2s',
    '',
  ].join('\n');
}
