/**
 * Observability as code (issue 17): the SLO and alert rules in ops/prometheus pass
 * `promtool check rules` and their unit tests, every alert has a case that fires and one that
 * stays quiet, Alertmanager sends each kind of alert where it belongs, and the /metrics of the
 * API, the worker and the processor stand-in pass `promtool check metrics` and hold every metric
 * the rules read. Debian's promtool and amtool: scripts/ensure-prometheus.sh (npm test runs it).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { startMetricsServer } from '../src/platform/metrics-server.ts';
import { requirePrometheusTools, runTool } from './support/prometheus-tools.ts';
import { startTestSystem, type TestSystem } from './support/test-system.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const rulesDir = join(root, 'ops', 'prometheus');
const alertmanagerDir = join(root, 'ops', 'alertmanager');
const ruleFiles = readdirSync(rulesDir).filter((f) => f.endsWith('.rules.yml'));
const ruleTestFiles = readdirSync(rulesDir).filter((f) => f.endsWith('.test.yml'));

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface AlertCase {
  alertname: string;
  exp_alerts?: unknown[];
}
const rules: Rule[] = ruleFiles.flatMap((file) =>
  (
    parse(readFileSync(join(rulesDir, file), 'utf8')) as { groups: { rules: Rule[] }[] }
  ).groups.flatMap((group) => group.rules),
);
const alerts = rules.filter((rule) => rule.alert !== undefined);

/** The metric families an exposition declares (`# TYPE name kind`), samples or not. */
function families(exposition: string): Set<string> {
  return new Set([...exposition.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1] ?? ''));
}

async function checkMetrics(exposition: string, where: string): Promise<void> {
  assert.ok(exposition.length > 1_000, `${where}: an exposition, not "${exposition}"`);
  const run = await runTool('promtool', ['check', 'metrics'], { input: exposition });
  assert.equal(run.code, 0, `${where}: ${run.output}`);
  assert.equal(run.output, '', `${where}: promtool found nothing to say`);
}

let t: TestSystem;
before(async () => {
  requirePrometheusTools();
  t = await startTestSystem({ processor: true });
});
after(() => t.close());

describe('Prometheus rules (ops/prometheus)', () => {
  it('promtool check rules passes every rule file, lint included', async () => {
    assert.ok(ruleFiles.length >= 3, ruleFiles.join());
    const run = await runTool(
      'promtool',
      ['check', 'rules', '--lint=all', '--lint-fatal', ...ruleFiles],
      { cwd: rulesDir },
    );
    assert.equal(run.code, 0, run.output);
    for (const file of ruleFiles)
      assert.match(run.stdout, new RegExp(`Checking ${file}\\n\\s+SUCCESS: \\d+ rules found`));
  });

  it('promtool check config passes prometheus.yml, which loads every rule file', async () => {
    const config = parse(readFileSync(join(rulesDir, 'prometheus.yml'), 'utf8')) as {
      rule_files: string[];
    };
    assert.deepEqual([...config.rule_files].sort(), [...ruleFiles].sort());
    // The operator key file it names must exist to be checked: a stand-in, in a copy.
    const dir = mkdtempSync(join(tmpdir(), 'kassa-prometheus-'));
    try {
      cpSync(rulesDir, dir, { recursive: true });
      writeFileSync(join(dir, 'operator-key'), 'op_placeholder\n');
      const text = readFileSync(join(dir, 'prometheus.yml'), 'utf8');
      writeFileSync(
        join(dir, 'prometheus.yml'),
        text.replaceAll('/etc/prometheus/kassa-operator-key', join(dir, 'operator-key')),
      );
      const run = await runTool('promtool', ['check', 'config', 'prometheus.yml'], { cwd: dir });
      assert.equal(run.code, 0, run.output);
      assert.match(run.stdout, new RegExp(`SUCCESS: ${ruleFiles.length} rule files found`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('promtool test rules passes every *.test.yml', async () => {
    assert.ok(ruleTestFiles.length >= 3, ruleTestFiles.join());
    const run = await runTool('promtool', ['test', 'rules', ...ruleTestFiles], { cwd: rulesDir });
    assert.equal(run.code, 0, run.output);
    assert.equal(run.stdout.match(/^\s+SUCCESS$/gm)?.length, ruleTestFiles.length, run.output);
  });

  it('a wrong expectation fails promtool test rules: the harness can fail', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kassa-rules-'));
    try {
      cpSync(join(rulesDir, 'operations-alerts.rules.yml'), join(dir, 'rules.yml'));
      const wrong = {
        rule_files: ['rules.yml'],
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1m',
            input_series: [
              {
                series: 'kassa_ledger_imbalance_minor{currency="USD",kind="posted"}',
                values: '5x5',
              },
            ],
            alert_rule_test: [
              { eval_time: '2m', alertname: 'KassaLedgerImbalance', exp_alerts: [] },
            ],
          },
        ],
      };
      writeFileSync(join(dir, 'wrong.test.yml'), stringify(wrong));
      const run = await runTool('promtool', ['test', 'rules', 'wrong.test.yml'], { cwd: dir });
      assert.notEqual(run.code, 0, run.output);
      assert.match(run.output, /FAILED/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every alert has a severity, a runbook, a firing and a quiet case, a line in the docs', () => {
    const cases: AlertCase[] = ruleTestFiles.flatMap((file) =>
      (
        parse(readFileSync(join(rulesDir, file), 'utf8')) as {
          tests: { alert_rule_test?: AlertCase[] }[];
        }
      ).tests.flatMap((test) => test.alert_rule_test ?? []),
    );
    const docs = readFileSync(join(root, 'docs', 'observability.md'), 'utf8');
    assert.ok(alerts.length >= 18, `${alerts.length} alerts`);
    for (const rule of alerts) {
      const name = rule.alert ?? '';
      assert.ok(['page', 'ticket'].includes(rule.labels?.['severity'] ?? ''), `${name} severity`);
      assert.match(rule.annotations?.['runbook_url'] ?? '', /^docs\/observability\.md#/, name);
      const mine = cases.filter((c) => c.alertname === name);
      assert.ok(
        mine.some((c) => (c.exp_alerts ?? []).length > 0),
        `${name}: no firing case`,
      );
      assert.ok(
        mine.some((c) => (c.exp_alerts ?? []).length === 0),
        `${name}: no quiet case`,
      );
      assert.ok(docs.includes(`\`${name}\``), `${name} is not in docs/observability.md`);
    }
  });

  it('money-moving requests are the routes that move money, and the server has each', () => {
    const text = readFileSync(join(rulesDir, 'money-slo.rules.yml'), 'utf8');
    const patterns = new Set([...text.matchAll(/route=~"([^"]+)"/g)].map((m) => m[1]));
    assert.equal(patterns.size, 1, 'one route list everywhere');
    const money = new RegExp(`^(?:${[...patterns][0] ?? ''})$`);
    const moving = ['/v1/transfers', '/v1/transfers/:id/confirm', '/v1/payments'].concat(
      ['capture', 'cancel', 'confirm'].map((action) => `/v1/payments/:id/${action}`),
      ['/v1/refunds', '/v1/topups', '/v1/payouts'],
    );
    for (const url of moving) {
      assert.ok(t.system.app.hasRoute({ method: 'POST', url }), `POST ${url} is a route`);
      assert.match(url, money);
    }
    for (const url of ['/v1/users', '/v1/sessions', '/v1/payment_methods', '/v1/devices']) {
      assert.ok(t.system.app.hasRoute({ method: 'POST', url }), `POST ${url} is a route`);
      assert.doesNotMatch(url, money);
    }
  });
});

describe('Alertmanager (ops/alertmanager)', () => {
  const config = join(alertmanagerDir, 'alertmanager.yml');

  it('amtool check-config passes', async () => {
    const run = await runTool('amtool', ['check-config', config]);
    assert.equal(run.code, 0, run.output);
    assert.match(run.stdout, /SUCCESS/);
  });

  it('every route case reaches its receivers, and every receiver has a case', async () => {
    const { cases } = parse(readFileSync(join(alertmanagerDir, 'route-tests.yml'), 'utf8')) as {
      cases: { labels: Record<string, string>; receivers: string[] }[];
    };
    const { receivers } = parse(readFileSync(config, 'utf8')) as { receivers: { name: string }[] };
    const reached = new Set(cases.flatMap((c) => c.receivers));
    assert.deepEqual([...reached].sort(), receivers.map((r) => r.name).sort());
    for (const { labels, receivers: expected } of cases) {
      const run = await runTool('amtool', [
        'config',
        'routes',
        'test',
        `--config.file=${config}`,
        `--verify.receivers=${expected.join(',')}`,
        ...Object.entries(labels).map(([name, value]) => `${name}=${value}`),
      ]);
      assert.equal(run.code, 0, `${JSON.stringify(labels)}: ${run.output}`);
      assert.equal(run.stdout.trim(), expected.join(','), JSON.stringify(labels));
    }
  });

  it('a page sent to the ticket receiver fails the route test: the harness can fail', async () => {
    const run = await runTool('amtool', [
      'config',
      'routes',
      'test',
      `--config.file=${config}`,
      '--verify.receivers=kassa-tickets',
      'alertname=KassaWalArchiveLagging',
      'severity=page',
    ]);
    assert.notEqual(run.code, 0, run.output);
    assert.match(run.output, /did not match/);
  });
});

describe('/metrics that promtool accepts (issue 17 §1)', () => {
  const expositions = new Map<string, string>();

  it("the API's /metrics passes promtool check metrics, without a doubled prefix", async () => {
    const alice = await t.signUp();
    const bob = await t.signUp();
    await t.fund(alice.walletId, 1_000);
    const sent = await t.request('POST', '/v1/transfers', {
      token: alice.token,
      key: randomUUID(),
      body: { to: bob.email, amount: 10, currency: 'USD' },
    });
    assert.equal(sent.statusCode, 201, sent.body);
    const res = await t.request('GET', '/metrics', { token: t.operatorKey });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /^kassa_process_cpu_seconds_total \d/m);
    assert.match(res.body, /^kassa_nodejs_heap_size_used_bytes \d/m);
    assert.doesNotMatch(res.body, /kassa_process_process_|kassa_process_nodejs_/);
    assert.match(res.body, /kassa_http_request_duration_seconds_bucket\{le="0\.3",/);
    assert.match(res.body, /kassa_http_request_duration_seconds_bucket\{le="10",/);
    await checkMetrics(res.body, 'api');
    expositions.set('api', res.body);
  });

  it("the worker's metrics port serves the same registry, to the operator key only", async () => {
    const server = await startMetricsServer({
      registry: t.system.metrics.registry,
      operatorKey: t.operatorKey,
      host: '127.0.0.1',
      port: 0,
    });
    try {
      assert.equal((await fetch(`${server.url}/metrics`)).status, 401);
      const wrongKey = { authorization: `Bearer ${t.operatorKey}x` };
      assert.equal((await fetch(`${server.url}/metrics`, { headers: wrongKey })).status, 401);
      assert.equal((await fetch(`${server.url}/`)).status, 404);
      const res = await fetch(`${server.url}/metrics`, {
        headers: { authorization: `Bearer ${t.operatorKey}` },
      });
      assert.equal(res.status, 200);
      const body = await res.text();
      await checkMetrics(body, 'worker');
      expositions.set('worker', body);
    } finally {
      await server.close();
    }
  });

  it("the processor stand-in's /metrics passes promtool check metrics", async () => {
    const address = t.sim?.app.server.address();
    assert.ok(typeof address === 'object' && address !== null);
    const user = await t.signUp();
    const card = await t.addCard(user.token, '4242424242424242');
    const topUp = await t.request('POST', '/v1/topups', {
      token: user.token,
      key: randomUUID(),
      body: { payment_method: card, amount: 2_500, currency: 'USD' },
    });
    assert.equal(topUp.statusCode, 201, topUp.body);
    const body = await (await fetch(`http://127.0.0.1:${address.port}/metrics`)).text();
    assert.match(body, /^kassa_processor_sim_requests_total\{route="\/v1\/charges",/m);
    assert.match(body, /^kassa_processor_sim_request_duration_seconds_bucket\{le="0\.3",/m);
    await checkMetrics(body, 'processor stand-in');
    expositions.set('processor stand-in', body);
  });

  it('every metric the rules read is one a Kassa process declares', () => {
    assert.equal(expositions.size, 3, [...expositions.keys()].join());
    const declared = new Set([...expositions.values()].flatMap((text) => [...families(text)]));
    const read = new Set(
      rules.flatMap((rule) =>
        [...rule.expr.matchAll(/(?<![\w:])(kassa_[a-z0-9_]+)/g)].map((m) =>
          (m[1] ?? '').replace(/_(bucket|count|sum)$/, ''),
        ),
      ),
    );
    assert.ok(read.size >= 10, [...read].join());
    const missing = [...read].filter((name) => !declared.has(name));
    assert.deepEqual(missing, [], 'metrics the rules read that no process declares');
  });
});
