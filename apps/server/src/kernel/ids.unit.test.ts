import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeId, encodeId, newUuid } from './ids.ts';

describe('ids', () => {
  it('encodes and decodes any uuid losslessly', () => {
    fc.assert(
      fc.property(fc.uuid(), (uuid) => {
        const wire = encodeId('pay', uuid);
        assert.match(wire, /^pay_[0-7][0-9a-hjkmnp-tv-z]{25}$/);
        assert.equal(decodeId('pay', wire), uuid.toLowerCase());
      }),
    );
  });

  it('refuses ids of another type or shape', () => {
    const wire = encodeId('pay', newUuid());
    assert.equal(decodeId('trf', wire), null);
    assert.equal(decodeId('pay', `${wire}x`), null);
    assert.equal(decodeId('pay', 'pay_8zzzzzzzzzzzzzzzzzzzzzzzzz'), null);
    assert.equal(decodeId('pay', 'pay_'), null);
  });

  it('new ids are version 7 and strictly increasing within a process', () => {
    const ids = Array.from({ length: 5000 }, () => newUuid());
    for (const id of ids)
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    for (let i = 1; i < ids.length; i += 1)
      assert.ok((ids[i] ?? '') > (ids[i - 1] ?? ''), 'time-ordered');
  });
});
