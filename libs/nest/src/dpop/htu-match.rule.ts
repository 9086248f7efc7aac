/**
 * RFC 9449 §4.3 item 9: `htu` names the URI of the request, without query
 * and fragment (§4.2), compared after syntax-based normalisation (RFC 3986
 * §6.2.2, §6.2.3: case of scheme and host, default port, empty path,
 * percent-encoding). Returns false for anything that is not an absolute
 * http(s) URI.
 */
export function htuMatches(htu: unknown, endpointUrl: string): boolean {
  if (typeof htu !== 'string' || htu.length > 2048) return false;
  let presented: URL;
  try {
    presented = new URL(htu);
  } catch {
    return false;
  }
  if (presented.protocol !== 'https:' && presented.protocol !== 'http:') return false;
  const expected = new URL(endpointUrl);
  // The WHATWG URL parser lower-cases scheme and host, drops default ports and normalises percent-encoding.
  return presented.origin === expected.origin && presented.pathname === expected.pathname;
}
