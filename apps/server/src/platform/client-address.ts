import { isIPv6 } from 'node:net';

/**
 * The bucket a client address is counted in by rate limits and lockouts. IPv4 addresses count
 * one by one; an IPv6 client usually controls a whole /64 (one home or phone gets 2^64
 * addresses), so IPv6 counts per /64. IPv4-mapped IPv6 (`::ffff:1.2.3.4`) is its IPv4 address.
 */
export function clientBucket(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1] !== undefined) return mapped[1];
  if (!isIPv6(address)) return address;
  const prefix = firstFourGroups(address).map((group) => Number.parseInt(group, 16).toString(16));
  return `${prefix.join(':')}::/64`;
}

/** The first four 16-bit groups of an IPv6 address (`::` expanded, zone dropped). */
function firstFourGroups(address: string): string[] {
  const bare = address.split('%')[0] ?? address;
  const at = bare.indexOf('::');
  if (at === -1) return bare.split(':').slice(0, 4);
  const left = at === 0 ? [] : bare.slice(0, at).split(':');
  const tail = bare.slice(at + 2);
  const right = tail === '' ? [] : tail.split(':');
  // An embedded IPv4 tail (`64:ff9b::1.2.3.4`) stands for two groups.
  const rightGroups = right.reduce((n, group) => n + (group.includes('.') ? 2 : 1), 0);
  const zeros = Array<string>(Math.max(0, 8 - left.length - rightGroups)).fill('0');
  return [...left, ...zeros, ...right].slice(0, 4);
}
