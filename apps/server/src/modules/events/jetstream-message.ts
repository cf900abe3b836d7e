import { isDeepStrictEqual } from 'node:util';
import { publicEventTypes } from '@kassa/contracts';
import { decodeId, encodeId } from '../../kernel/ids.ts';
import type { RelayedEvent } from './event-store.ts';

/**
 * Why a JetStream message was parked rather than handled as it came. Only its id is ever
 * trusted: the event a consumer handles is the row the id names in the outbox.
 */
export const parkReasons = [
  /** No `Nats-Msg-Id`, or one that is not an `evt_` id. */
  'invalid_id',
  /** The body is not a JSON object. */
  'malformed',
  /** The body's `type` is not a public event type. */
  'unknown_type',
  /** The id names no event in the outbox: forged. */
  'unknown_event',
  /** The id names an event, but the subject or the body says something else about it. */
  'tampered',
] as const;
export type ParkReason = (typeof parkReasons)[number];

/** The body the publisher sends: the stored event as JSON (positions as decimal strings). */
export function encodeEvent(event: RelayedEvent): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify(event, (_key, value: unknown) =>
      typeof value === 'bigint' ? value.toString() : value,
    ),
  );
}

/** The event a message names: its `Nats-Msg-Id` as a uuid, or null when that is no `evt_` id. */
export function messageEventId(msgId: string | undefined): string | null {
  return msgId === undefined || msgId.length > 64 ? null : decodeId('evt', msgId);
}

function parse(data: Uint8Array): Record<string, unknown> | null {
  try {
    const body: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data));
    return typeof body === 'object' && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/**
 * Checks a message against the stored event its id names (undefined: none). Null means the
 * message is a faithful copy of that event: the subject is `<stream>.<type>` and the body equals
 * what the publisher would send for the row. Anything else is a reason to park it; whether the
 * stored event is handled does not depend on this, only on the id naming one.
 */
export function messageProblem(
  stream: string,
  message: {
    readonly subject: string;
    readonly msgId: string | undefined;
    readonly data: Uint8Array;
  },
  stored: RelayedEvent | undefined,
): ParkReason | null {
  const id = messageEventId(message.msgId);
  if (id === null) return 'invalid_id';
  const body = parse(message.data);
  if (body === null) return 'malformed';
  if (!(publicEventTypes as readonly unknown[]).includes(body['type'])) return 'unknown_type';
  if (stored === undefined) return 'unknown_event';
  const faithful =
    message.subject === `${stream}.${stored.type}` &&
    message.msgId === encodeId('evt', stored.id) &&
    isDeepStrictEqual(body, JSON.parse(new TextDecoder().decode(encodeEvent(stored))));
  return faithful ? null : 'tampered';
}
