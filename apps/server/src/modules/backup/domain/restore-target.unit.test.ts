import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkInRange, parseRestoreTarget, RestoreTargetError } from './restore-target.ts';

describe('restore targets', () => {
  it('reads latest and RFC 3339 times with an offset', () => {
    assert.deepEqual(parseRestoreTarget('latest'), { kind: 'latest' });
    const utc = parseRestoreTarget('2026-12-01T14:02:59Z');
    assert.equal(utc.kind === 'time' && utc.at.toISOString(), '2026-12-01T14:02:59.000Z');
    const offset = parseRestoreTarget('2026-12-01T15:02:59.250+01:00');
    assert.equal(offset.kind === 'time' && offset.at.toISOString(), '2026-12-01T14:02:59.250Z');
  });

  it('refuses what is not a moment, naming the format', () => {
    for (const raw of [
      undefined,
      '',
      'yesterday',
      '2026-12-01 14:02',
      '2026-12-01T14:02:59', // no offset: whose 14:02?
      '1733061779',
      '2026-02-30T10:00:00Z',
      '2026-12-01T24:00:00Z',
      '2026-13-01T10:00:00Z',
      'latest; rm -rf /',
    ])
      assert.throws(() => parseRestoreTarget(raw), RestoreTargetError, String(raw));
  });

  it('refuses a time outside the backups, and any time when there is no backup', () => {
    const range = {
      earliest: new Date('2026-12-01T10:00:00Z'),
      latest: new Date('2026-12-01T12:00:00Z'),
    };
    const at = (iso: string) => ({ kind: 'time' as const, at: new Date(iso) });
    assert.doesNotThrow(() => checkInRange(at('2026-12-01T11:00:00Z'), range));
    assert.doesNotThrow(() => checkInRange({ kind: 'latest' }, range));
    assert.throws(() => checkInRange(at('2026-12-01T09:59:59Z'), range), /before the oldest/);
    assert.throws(() => checkInRange(at('2026-12-01T12:00:01Z'), range), /after the newest/);
    assert.throws(
      () => checkInRange({ kind: 'latest' }, { earliest: null, latest: null }),
      /no backup/,
    );
  });
});
