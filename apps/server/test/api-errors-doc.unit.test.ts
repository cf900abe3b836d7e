import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { apiErrorsDoc, renderedDoc } from '../../../scripts/api-errors-doc.ts';

it('docs/api-errors.md lists exactly the error catalogue (regenerate: npx tsx scripts/api-errors-doc.ts)', () => {
  const current = readFileSync(apiErrorsDoc, 'utf8');
  assert.equal(current, renderedDoc(current));
});
