import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { base32Decode, base32Encode, hotp, matchTotp, otpauthUri, totpStep } from './totp.ts';

describe('TOTP (RFC 6238)', () => {
  it('matches the RFC 6238 appendix B test vectors (an independent reference)', () => {
    const secrets = {
      sha1: Buffer.from('12345678901234567890'),
      sha256: Buffer.from('12345678901234567890123456789012'),
      sha512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234'),
    };
    const vectors: [number, string, string, string][] = [
      [59, '94287082', '46119246', '90693936'],
      [1111111109, '07081804', '68084774', '25091201'],
      [1111111111, '14050471', '67062674', '99943326'],
      [1234567890, '89005924', '91819424', '93441116'],
      [2000000000, '69279037', '90698825', '38618901'],
      [20000000000, '65353130', '77737706', '47863826'],
    ];
    for (const [seconds, sha1, sha256, sha512] of vectors) {
      const step = totpStep(new Date(seconds * 1000));
      assert.equal(hotp(secrets.sha1, step, 8, 'sha1'), sha1);
      assert.equal(hotp(secrets.sha256, step, 8, 'sha256'), sha256);
      assert.equal(hotp(secrets.sha512, step, 8, 'sha512'), sha512);
    }
  });

  it('matches the RFC 4226 HOTP vectors', () => {
    const expected = [
      '755224',
      '287082',
      '359152',
      '969429',
      '338314',
      '254676',
      '287922',
      '162583',
      '399871',
      '520489',
    ];
    expected.forEach((code, counter) =>
      assert.equal(hotp(Buffer.from('12345678901234567890'), BigInt(counter)), code),
    );
  });

  it('accepts one step of drift either side and nothing further', () => {
    const secret = Buffer.from('12345678901234567890');
    const now = new Date(1_700_000_000_000);
    const step = totpStep(now);
    for (const delta of [-1n, 0n, 1n])
      assert.equal(matchTotp(secret, hotp(secret, step + delta), now), step + delta);
    for (const delta of [-2n, 2n])
      assert.equal(matchTotp(secret, hotp(secret, step + delta), now), null);
    for (const bad of ['', '12345', '1234567', 'abcdef', '12 345'])
      assert.equal(matchTotp(secret, bad, now), null);
  });

  it('base32 round-trips and builds an otpauth URI apps understand', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) =>
        assert.deepEqual(base32Decode(base32Encode(Buffer.from(bytes))), Buffer.from(bytes)),
      ),
    );
    assert.equal(base32Encode(Buffer.from('foobar')), 'MZXW6YTBOI');
    const uri = otpauthUri(Buffer.from('12345678901234567890'), 'ann@kassa.test');
    assert.match(
      uri,
      /^otpauth:\/\/totp\/Kassa%3Aann%40kassa\.test\?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Kassa&algorithm=SHA1&digits=6&period=30$/,
    );
  });
});
