import assert from 'node:assert/strict';
import { it } from 'node:test';
import { webhookAddressAllowed } from './webhook-address.ts';

it('webhooks reach public and loopback addresses, never the internal network', () => {
  for (const ok of [
    '93.184.216.34',
    '8.8.8.8',
    '172.32.0.1',
    '127.0.0.1',
    '127.9.9.9',
    '::1',
    '2606:4700::1111',
    '::ffff:8.8.8.8',
    '2002:808:808::1',
  ])
    assert.equal(webhookAddressAllowed(ok), true, ok);
  for (const blocked of [
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'ff02::1',
    '::ffff:10.0.0.1',
    '::ffff:169.254.169.254',
    '64:ff9b::a00:1',
    '::127.0.0.1',
    '::a00:1',
    '::10.0.0.1',
    '::8.8.8.8',
    '2002:a00:1::1',
    '2002:c0a8:101::',
    'not-an-ip',
  ])
    assert.equal(webhookAddressAllowed(blocked), false, blocked);
});

it('loopback is refused when the local-development rule is off', () => {
  for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1'])
    assert.equal(webhookAddressAllowed(address, false), false, address);
  assert.equal(webhookAddressAllowed('8.8.8.8', false), true);
});
