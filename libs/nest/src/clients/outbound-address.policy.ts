import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * Addresses a server-side fetch must not reach (SSRF, RFC 9700 §4.x and
 * OWASP): "this" network, private ranges (RFC 1918, RFC 4193), loopback,
 * link-local (which holds cloud metadata services such as 169.254.169.254),
 * shared address space, multicast and reserved ranges, and IPv4-mapped IPv6
 * addresses (which would smuggle any of those in).
 */
const BLOCKED = (() => {
  const list = new BlockList();
  for (const [net, prefix] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ] as const) {
    list.addSubnet(net, prefix, 'ipv4');
  }
  for (const [net, prefix] of [
    ['::', 128],
    ['::1', 128],
    ['64:ff9b::', 96],
    ['fc00::', 7],
    ['fe80::', 10],
    ['ff00::', 8],
  ] as const) {
    list.addSubnet(net, prefix, 'ipv6');
  }
  return list;
})();

/**
 * IPv4-mapped IPv6 (::ffff:0:0/96), in a list of its own: a BlockList also
 * matches plain IPv4 addresses against such a rule, which would refuse all.
 */
const IPV4_MAPPED = (() => {
  const list = new BlockList();
  list.addSubnet('::ffff:0:0', 96, 'ipv6');
  return list;
})();

/** Whether `address` (an IP literal) is private, loopback, link-local or otherwise not a public unicast address. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return BLOCKED.check(address, 'ipv4');
  if (family === 6) return IPV4_MAPPED.check(address, 'ipv6') || BLOCKED.check(address, 'ipv6');
  return true; // not an IP address at all: never "public"
}

/** A fetch refused because the host is, or resolves to, a private address. */
export class PrivateAddressRefused extends Error {
  override readonly name = 'PrivateAddressRefused';
}

export interface OutboundAddressSettings {
  /** Every address is allowed (tests, closed networks). */
  allowPrivate: boolean;
  /** Host names (as written in URLs, lower case) exempt from the check. */
  allowedHosts: readonly string[];
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * Where the authorization server may connect to fetch client-supplied URLs
 * (`jwks_uri`). The host is resolved and every address it resolves to is
 * checked; the check runs in the socket's own DNS lookup, so the address
 * connected to is the address checked (no DNS rebinding window).
 */
export class OutboundAddressPolicy {
  private readonly allowedHosts: Set<string>;

  constructor(private readonly settings: OutboundAddressSettings) {
    this.allowedHosts = new Set(settings.allowedHosts.map((h) => h.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1')).filter(Boolean));
  }

  static allowingEverything(): OutboundAddressPolicy {
    return new OutboundAddressPolicy({ allowPrivate: true, allowedHosts: [] });
  }

  /** Host name of a URL without IPv6 brackets. */
  private static hostOf(url: URL): string {
    return url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  }

  private exempt(url: URL): boolean {
    return this.settings.allowPrivate || this.allowedHosts.has(OutboundAddressPolicy.hostOf(url));
  }

  /**
   * Checks what can be checked before connecting (an IP literal host) and
   * returns the `lookup` function to connect with (undefined when exempt).
   * @throws PrivateAddressRefused
   */
  guard(url: URL): ((hostname: string, options: LookupOptions, callback: LookupCallback) => void) | undefined {
    if (this.exempt(url)) return undefined;
    const host = OutboundAddressPolicy.hostOf(url);
    if (isIP(host)) {
      // Sockets skip DNS for IP literals, so the check happens here.
      if (isPrivateAddress(host)) throw new PrivateAddressRefused(`${host} is a private, loopback or link-local address`);
      return undefined;
    }
    return (hostname, options, callback) => {
      dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
        if (err) return callback(err, []);
        const refused = addresses.find((a) => isPrivateAddress(a.address));
        if (refused) return callback(new PrivateAddressRefused(`${hostname} resolves to ${refused.address}, a private, loopback or link-local address`), []);
        if (addresses.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
        if (options.all) return callback(null, addresses);
        return callback(null, addresses[0]!.address, addresses[0]!.family);
      });
    };
  }
}
