import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeId } from '../../kernel/ids.ts';
import { encodeEvent, messageProblem } from './jetstream-message.ts';
import type { RelayedEvent } from './event-store.ts';

const stored: RelayedEvent = {
  seq: '42',
  id: '01930000-0000-7000-8000-000000000001',
  type: 'transfer.received',
  version: 1,
  object_id: 'trf_01jd7w9k3c8v4t5e6r7y8z9a0b',
  data: { object: { id: 'trf_01jd7w9k3c8v4t5e6r7y8z9a0b', amount: 1_234, currency: 'USD' } },
  merchant_id: null,
  created_at: new Date('2026-01-02T03:04:05.678Z'),
  user_ids: ['01930000-0000-7000-8000-0000000000aa'],
  tx_id: '777',
};
const msgId = encodeId('evt', stored.id);
const subject = 'S.transfer.received';
const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const copy = JSON.parse(new TextDecoder().decode(encodeEvent(stored))) as Record<string, unknown>;

describe('a JetStream message against the stored event it names', () => {
  it('the publisher’s own message is faithful', () => {
    assert.equal(messageProblem('S', { subject, msgId, data: encodeEvent(stored) }, stored), null);
  });

  for (const [name, message, expected] of [
    ['no id', { subject, msgId: undefined, data: encodeEvent(stored) }, 'invalid_id'],
    [
      'an id of another kind',
      { subject, msgId: 'pay_01jd7w9k3c8v4t5e6r7y8z9a0b', data: json(copy) },
      'invalid_id',
    ],
    ['not JSON', { subject, msgId, data: new TextEncoder().encode('{"id": nope') }, 'malformed'],
    ['not UTF-8', { subject, msgId, data: new Uint8Array([0xff, 0xfe, 0x7b]) }, 'malformed'],
    ['a JSON array', { subject, msgId, data: json([copy]) }, 'malformed'],
    [
      'an unknown type',
      { subject: 'S.evil', msgId, data: json({ ...copy, type: 'evil' }) },
      'unknown_type',
    ],
    [
      'a changed amount',
      { subject, msgId, data: json({ ...copy, data: { object: { amount: 250_000_000 } } }) },
      'tampered',
    ],
    [
      'another reader',
      { subject, msgId, data: json({ ...copy, user_ids: ['someone'] }) },
      'tampered',
    ],
    ['another subject', { subject: 'S.payment.succeeded', msgId, data: json(copy) }, 'tampered'],
    ['an extra field', { subject, msgId, data: json({ ...copy, note: 'hi' }) }, 'tampered'],
  ] as const) {
    it(`${name}: ${expected}`, () => {
      assert.equal(messageProblem('S', message, stored), expected);
    });
  }

  it('an id that names no stored event: forged', () => {
    assert.equal(
      messageProblem('S', { subject, msgId, data: encodeEvent(stored) }, undefined),
      'unknown_event',
    );
  });
});
