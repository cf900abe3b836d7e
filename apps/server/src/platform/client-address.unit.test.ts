import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientBucket } from './client-address.ts';

describe('client address buckets', () => {
  it('counts IPv4 addresses one by one, and IPv4-mapped IPv6 as its IPv4 address', () => {
    assert.equal(clientBucket('203.0.113.7'), '203.0.113.7');
    assert.equal(clientBucket('::ffff:203.0.113.7'), '203.0.113.7');
  });

  it('counts IPv6 per /64, whatever the spelling of the address', () => {
    const bucket = '2001:db8:aa:1::/64';
    assert.equal(clientBucket('2001:db8:aa:1::1'), bucket);
    assert.equal(clientBucket('2001:0db8:00aa:0001:ffff:ffff:ffff:ffff'), bucket);
    assert.equal(clientBucket('2001:db8:aa:1:0:0:0:9%eth0'), bucket);
    assert.notEqual(clientBucket('2001:db8:aa:2::1'), bucket);
    assert.equal(clientBucket('::1'), '0:0:0:0::/64');
    assert.equal(clientBucket('fe80::1'), 'fe80:0:0:0::/64');
  });
});
