import { isIP } from 'node:net';

/** IPv4 ranges a webhook may never reach: private, shared, link-local (cloud metadata), special. */
const blockedV4: readonly [number, number][] = [
  [0x00000000, 8], // 0.0.0.0/8 "this network"
  [0x0a000000, 8], // 10/8
  [0x64400000, 10], // 100.64/10 carrier-grade NAT
  [0xa9fe0000, 16], // 169.254/16 link-local, cloud metadata
  [0xac100000, 12], // 172.16/12
  [0xc0000000, 24], // 192.0.0/24 protocol assignments
  [0xc0a80000, 16], // 192.168/16
  [0xc6120000, 15], // 198.18/15 benchmarking
  [0xe0000000, 4], // 224/4 multicast
  [0xf0000000, 4], // 240/4 reserved, broadcast
];

function v4Number(address: string): number {
  return address.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function blockedIpv4(address: string): boolean {
  const n = v4Number(address);
  return blockedV4.some(
    ([base, bits]) => Math.floor(n / 2 ** (32 - bits)) === Math.floor(base / 2 ** (32 - bits)),
  );
}

/** Expands an IPv6 address to its 8 groups (handles `::` and an embedded IPv4 tail). */
function v6Groups(address: string): number[] {
  let text = address.toLowerCase().split('%')[0] ?? '';
  const v4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4Tail?.[1] !== undefined) {
    const n = v4Number(v4Tail[1]);
    text = `${text.slice(0, -v4Tail[1].length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

export function isLoopback(address: string): boolean {
  if (isIP(address) === 4) return address.startsWith('127.');
  const g = v6Groups(address);
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return (g[6] ?? 0) >> 8 === 127;
  return g.slice(0, 7).every((x) => x === 0) && g[7] === 1;
}

/**
 * Whether a webhook may connect to this IP address. Public addresses yes; loopback when
 * `allowLoopback` (the local-development rule; production turns it off); private, link-local (cloud metadata at 169.254.169.254),
 * carrier-grade NAT, unique-local, multicast and unspecified addresses never, so a merchant
 * cannot point Kassa's worker at the internal network (SSRF).
 */
export function webhookAddressAllowed(address: string, allowLoopback = true): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (isLoopback(address)) return allowLoopback;
  if (family === 4) return !blockedIpv4(address);
  const g = v6Groups(address);
  const first = g[0] ?? 0;
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff)
    return !blockedIpv4(
      `${(g[6] ?? 0) >> 8}.${(g[6] ?? 0) & 255}.${(g[7] ?? 0) >> 8}.${(g[7] ?? 0) & 255}`,
    );
  if (g.every((x) => x === 0)) return false; // ::
  // ::/96 IPv4-compatible (deprecated; some stacks still route `::10.0.0.1` to 10.0.0.1).
  if (g.slice(0, 6).every((x) => x === 0)) return false;
  // 2002::/16 6to4 carries an IPv4 address in its next 32 bits.
  if (first === 0x2002)
    return !blockedIpv4(
      `${(g[1] ?? 0) >> 8}.${(g[1] ?? 0) & 255}.${(g[2] ?? 0) >> 8}.${(g[2] ?? 0) & 255}`,
    );
  if ((first & 0xfe00) === 0xfc00) return false; // fc00::/7 unique local
  if ((first & 0xffc0) === 0xfe80) return false; // fe80::/10 link-local
  if ((first & 0xff00) === 0xff00) return false; // ff00::/8 multicast
  if (first === 0x64 && g[1] === 0xff9b) return false; // 64:ff9b::/96 NAT64 (may reach private v4)
  return true;
}
