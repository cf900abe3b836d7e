import { randomBytes } from 'node:crypto';
import { assert } from './assert.ts';

/**
 * Ids are UUIDv7 (48-bit millisecond time + random bits), stored as `uuid` in PostgreSQL and
 * shown on the wire as TypeID-style strings: a type prefix, `_`, and 26 Crockford base32
 * characters (`pay_01jd7w9k3c8v4t5e6r7y8z9a0b`). Time order keeps B-tree inserts local.
 */
export const idPrefixes = [
  'usr',
  'wal',
  'mer',
  'pay',
  'trf',
  'ref',
  'top',
  'po',
  'pm',
  'evt',
  'dev',
  'acc',
  'fnd',
  'key',
  'ltr',
  'we',
  'whd',
  'ntf',
  'rle',
  'opr',
  'rrs',
  'psk',
  'wch',
] as const;
export type IdPrefix = (typeof idPrefixes)[number];

const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';

let lastMs = 0;
let sequence = 0;

// Random bytes are drawn from the OS in blocks: one syscall per 256 ids instead of one each.
const randomPoolBytes = 4096;
let randomPool = randomBytes(randomPoolBytes);
let randomOffset = 0;

function random16(): Buffer {
  if (randomOffset + 16 > randomPoolBytes) {
    randomPool = randomBytes(randomPoolBytes);
    randomOffset = 0;
  }
  const bytes = Buffer.from(randomPool.subarray(randomOffset, randomOffset + 16));
  randomOffset += 16;
  return bytes;
}

/** A new UUIDv7. Monotonic within a process: a counter fills the first random bits. */
export function newUuid(nowMs: number = Date.now()): string {
  if (nowMs <= lastMs) {
    sequence += 1;
    if (sequence > 0xfff) {
      lastMs += 1;
      sequence = 0;
    }
  } else {
    lastMs = nowMs;
    sequence = 0;
  }
  const bytes = random16();
  const ms = BigInt(lastMs);
  for (let i = 0; i < 6; i += 1) bytes[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  bytes[6] = 0x70 | ((sequence >> 8) & 0x0f);
  bytes[7] = sequence & 0xff;
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The smallest UUIDv7 of a millisecond: every id made at or after `ms` sorts at or above it, so
 * `id >= uuidV7Floor(t)` bounds a scan of a time-ordered index by time without reading rows.
 */
export function uuidV7Floor(ms: number): string {
  const hex = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-8000-000000000000`;
}

/** `uuid` → `pay_…`. */
export function encodeId(prefix: IdPrefix, uuid: string): string {
  const hex = uuid.replaceAll('-', '');
  assert(/^[0-9a-f]{32}$/.test(hex), `not a uuid: ${uuid}`);
  let value = BigInt(`0x${hex}`);
  let out = '';
  for (let i = 0; i < 26; i += 1) {
    out = alphabet[Number(value & 31n)] + out;
    value >>= 5n;
  }
  return `${prefix}_${out}`;
}

/** `pay_…` → `uuid`, or null when the string is not an id of that type. */
export function decodeId(prefix: IdPrefix, wire: string): string | null {
  if (typeof wire !== 'string' || !wire.startsWith(`${prefix}_`)) return null;
  const body = wire.slice(prefix.length + 1).toLowerCase();
  if (!/^[0-7][0-9a-hjkmnp-tv-z]{25}$/.test(body)) return null;
  let value = 0n;
  for (const char of body) value = (value << 5n) | BigInt(alphabet.indexOf(char));
  const hex = value.toString(16).padStart(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
