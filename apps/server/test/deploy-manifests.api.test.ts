/**
 * The Kubernetes manifests (deploy/kubernetes) against the code they run: probe paths answer,
 * every environment variable is one config.ts reads, ports line up, commands exist.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { startTestSystem, type TestSystem } from './support/test-system.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const folder = join(root, 'deploy', 'kubernetes');

interface Container {
  name: string;
  command?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string }[];
  envFrom?: { configMapRef?: { name: string } }[];
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
}
type Manifest = {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec?: Record<string, unknown>;
};

const manifests: Manifest[] = readdirSync(folder)
  .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml' && f !== 'nats-values.yaml')
  .flatMap((f) =>
    parseAllDocuments(readFileSync(join(folder, f), 'utf8')).map((d) => d.toJSON() as Manifest),
  );
const deployments = manifests.filter((m) => m.kind === 'Deployment');
const containers = deployments.flatMap(
  (d) => (d.spec as { template: { spec: { containers: Container[] } } }).template.spec.containers,
);
const configMap = manifests.find(
  (m) => m.kind === 'ConfigMap' && m.metadata.name === 'kassa-config',
);
const configSource = readFileSync(join(root, 'apps/server/src/config/config.ts'), 'utf8');
/** Names config.ts reads: quoted literals, and `NATS_${role}_USER` for each role it passes. */
const settingNames = new Set([
  ...[...configSource.matchAll(/'([A-Z][A-Z0-9_]+)'/g)].map((m) => m[1] ?? ''),
  ...[...configSource.matchAll(/natsIdentity\(env, '([A-Z]+)'\)/g)].flatMap((role) =>
    [...configSource.matchAll(/`([A-Z_]*)\$\{role\}([A-Z_]*)`/g)].map(
      (m) => `${m[1]}${role[1]}${m[2]}`,
    ),
  ),
]);

let t: TestSystem;
before(async () => {
  t = await startTestSystem();
});
after(async () => {
  await t.close();
});

describe('Kubernetes manifests match the code (issue 13)', () => {
  it('the API and the worker run as Deployments with a PodDisruptionBudget; the API has an HPA', () => {
    const names = deployments.map((d) => d.metadata.name).sort();
    assert.deepEqual(names, ['kassa-api', 'kassa-worker']);
    for (const name of names)
      assert.ok(
        manifests.some((m) => m.kind === 'PodDisruptionBudget' && m.metadata.name === name),
        `${name} has a PodDisruptionBudget`,
      );
    assert.ok(manifests.some((m) => m.kind === 'HorizontalPodAutoscaler'));
    const db = manifests.find((m) => m.kind === 'Cluster');
    assert.equal((db?.spec as { minSyncReplicas?: number }).minSyncReplicas, 1);
  });

  it('every environment variable is one config.ts reads', () => {
    const names = [
      ...Object.keys(configMap?.data ?? {}),
      ...containers.flatMap((c) => (c.env ?? []).map((e) => e.name)),
    ];
    assert.ok(names.length > 10, names.join(','));
    for (const name of names)
      assert.ok(settingNames.has(name), `${name} is not a setting config.ts reads`);
  });

  it('probe paths answer on the running API; ports and commands line up', async () => {
    const port = Number(configMap?.data?.['PORT']);
    for (const c of containers) {
      assert.ok(c.command !== undefined && existsSync(join(root, c.command.at(-1) ?? '')), c.name);
      for (const probe of [c.readinessProbe, c.livenessProbe]) {
        if (probe?.httpGet === undefined) continue;
        const res = await t.request('GET', probe.httpGet.path);
        assert.equal(res.statusCode, 200, `${probe.httpGet.path}: ${res.body}`);
        const named = c.ports?.find((p) => p.name === probe.httpGet?.port);
        assert.equal(named?.containerPort, port, 'the probe port is the one PORT sets');
      }
    }
    const api = containers.find((c) => c.name === 'api');
    assert.ok(api?.readinessProbe?.httpGet?.path === '/readyz');
    const service = manifests.find((m) => m.kind === 'Service' && m.metadata.name === 'kassa-api');
    const targets = (service?.spec as { ports: { targetPort: string }[] }).ports.map(
      (p) => p.targetPort,
    );
    for (const target of targets)
      assert.ok(
        api.ports?.some((p) => p.name === target),
        `Service targets ${target}`,
      );
  });
});
