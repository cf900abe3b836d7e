import assert from 'node:assert/strict';
import { it } from 'node:test';
import { identityText, verifiedNameOf } from '../src/merchant-identity.ts';

it('the pay review names the verified legal name, or says the merchant is not verified', () => {
  const base = { id: 'mer_x', object: 'merchant', name: 'Famous Coffee' };
  assert.equal(
    verifiedNameOf({ ...base, verified_name: 'Famous Coffee Ltd' }),
    'Famous Coffee Ltd',
  );
  assert.equal(verifiedNameOf({ ...base, verified_name: null }), null);
  assert.equal(verifiedNameOf(base), null, 'an answer without the field is not verified');
  for (const odd of ['', '   ', 42, { name: 'x' }])
    assert.equal(verifiedNameOf({ ...base, verified_name: odd }), null, JSON.stringify(odd));
  assert.equal(identityText('Famous Coffee Ltd'), 'Verified: Famous Coffee Ltd');
  assert.equal(identityText(null), 'Not verified');
});
