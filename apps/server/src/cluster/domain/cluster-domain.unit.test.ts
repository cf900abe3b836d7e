import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { haproxyConfig } from './haproxy-config.ts';
import { decideScaling, p99FromBuckets, type ScalingSample } from './scaling-decision.ts';

const policy = {
  min: 1,
  max: 3,
  upEventLoopUtilization: 0.7,
  upP99Ms: 250,
  downEventLoopUtilization: 0.25,
  windowMs: 30_000,
};
const samples = (values: readonly [number, number | null][]): ScalingSample[] =>
  values.map(([elu, p99], i) => ({ atMs: i * 5_000, eventLoopUtilization: elu, p99Ms: p99 }));

describe('scaling decisions', () => {
  it('grows only after a whole window hot, shrinks only after a whole window cold', () => {
    const hot = samples(Array.from({ length: 7 }, () => [0.9, 10] as [number, number]));
    assert.equal(decideScaling(policy, 2, hot, 30_000), 'up');
    assert.equal(decideScaling(policy, 2, hot.slice(0, 3), 10_000), 'hold', 'window not full');
    assert.equal(decideScaling(policy, 3, hot, 30_000), 'hold', 'at the maximum');
    const slow = samples(Array.from({ length: 7 }, () => [0.1, 400] as [number, number]));
    assert.equal(decideScaling(policy, 2, slow, 30_000), 'up', 'p99 alone is enough');
    const cold = samples(Array.from({ length: 7 }, () => [0.1, null] as [number, null]));
    assert.equal(decideScaling(policy, 2, cold, 30_000), 'down');
    assert.equal(decideScaling(policy, 1, cold, 30_000), 'hold', 'at the minimum');
    const mixed = samples([
      [0.9, 10],
      [0.9, 10],
      [0.5, 10],
      [0.9, 10],
      [0.9, 10],
      [0.9, 10],
      [0.9, 10],
    ]);
    assert.equal(decideScaling(policy, 2, mixed, 30_000), 'hold', 'one cool sample holds');
  });

  it('p99 from two scrapes of a cumulative histogram', () => {
    const before = new Map([
      [0.01, 10],
      [0.1, 10],
      [Infinity, 10],
    ]);
    const after = new Map([
      [0.01, 60],
      [0.1, 109],
      [Infinity, 110],
    ]);
    assert.equal(p99FromBuckets(before, after), 100);
    assert.equal(p99FromBuckets(after, after), null, 'no request in between');
  });
});

describe('HAProxy configuration', () => {
  it('retries only safe or keyed requests, and answers its own 503s in the API error shape', () => {
    const text = haproxyConfig({
      apiPort: 7400,
      postgresPort: 7401,
      statsPort: 7402,
      socket: '/tmp/x.sock',
      apiSlots: [7431, 7432],
      databaseNodes: [
        { postgres: 7411, patroni: 7421 },
        { postgres: 7412, patroni: 7422 },
      ],
    });
    assert.match(text, /disable-l7-retry if !METH_GET !METH_HEAD !\{ req\.hdr\(idempotency-key\)/);
    assert.match(text, /http-error status 503 .*hdr Retry-After 1 .*"money_moved":false/);
    assert.match(text, /server-template api 1-2 127\.0\.0\.1:7431 check disabled/);
    assert.match(text, /server pg2 127\.0\.0\.1:7412 check port 7422/);
    assert.match(text, /on-marked-down shutdown-sessions/);
  });
});
