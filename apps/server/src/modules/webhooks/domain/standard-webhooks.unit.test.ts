import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import {
  nextRetryDelayMs,
  retryScheduleSeconds,
  signatureHeader,
  webhookUrlProblem,
} from './standard-webhooks.ts';

it('signs exactly as the standardwebhooks reference library does', () => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const at = new Date('2026-11-29T12:00:00Z');
  const body = '{"id":"evt_1","type":"payment.succeeded"}';
  const ours = signatureHeader([secret], 'evt_1', at.getTime() / 1000, body);
  assert.equal(ours, new Webhook(secret).sign('evt_1', at, body));
});

it('retries for more than 3 days, with jitter, then stops', () => {
  const total = retryScheduleSeconds.reduce((a, b) => a + b, 0);
  assert.ok(total >= 3 * 86_400, `${total} s`);
  assert.equal(nextRetryDelayMs(1, 1, 0), 4_000);
  assert.equal(nextRetryDelayMs(1, 1, 1), 6_000);
  assert.equal(nextRetryDelayMs(retryScheduleSeconds.length + 1, 1, 0.5), null);
  for (let i = 1; i < retryScheduleSeconds.length; i += 1)
    assert.ok(retryScheduleSeconds[i]! >= retryScheduleSeconds[i - 1]!);
});

it('accepts https anywhere and http only on loopback', () => {
  for (const ok of [
    'https://shop.example/hooks',
    'http://127.0.0.1:3000/h',
    'http://localhost/h',
    'http://[::1]:8/h',
  ])
    assert.equal(webhookUrlProblem(ok, true), null, ok);
  for (const bad of [
    'http://shop.example/h',
    'http://10.0.0.1/h',
    'ftp://127.0.0.1/h',
    'not a url',
    'https://a:b@x.example/',
    'https://10.0.0.1/h',
    'https://169.254.169.254/latest/meta-data',
    'https://[fd00::1]/h',
    'https://192.168.0.10:8443/h',
  ])
    assert.notEqual(webhookUrlProblem(bad, true), null, bad);
});

it('with loopback turned off (production), loopback URLs are refused too', () => {
  for (const url of [
    'http://localhost/h',
    'https://127.0.0.1/h',
    'https://[::1]/h',
    'https://api.localhost/h',
  ])
    assert.notEqual(webhookUrlProblem(url, false), null, url);
  assert.equal(webhookUrlProblem('https://shop.example/hooks', false), null);
});
