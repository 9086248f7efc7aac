import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { OutboundAddressPolicy, PrivateAddressRefused } from './outbound-address.policy.js';

/** A server-side GET that could not be done; the message names `what` and is safe to show. */
export class OutboundGetFailed extends Error {
  override readonly name = 'OutboundGetFailed';
}

/** How a server-side GET of a URL someone else chose (a `jwks_uri`, a CRL distribution point) is bounded. */
export interface OutboundGetLimits {
  /** Where it may connect (private addresses refused unless allow-listed). */
  policy: OutboundAddressPolicy;
  timeoutMs: number;
  maxBytes: number;
  /** The `Accept` header. */
  accept: string;
  /** What is fetched, for messages: "the jwks_uri", "the CRL at http://…". */
  what: string;
}

/** A completed GET: status, headers and the whole body (at most `maxBytes`). */
export interface OutboundGetResult {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * GET with a deadline, a size limit, no redirects, and only to addresses the
 * policy allows (checked in the socket's own DNS lookup, so the address
 * connected to is the address checked). Never hangs, never buffers more than
 * `maxBytes`.
 *
 * @throws OutboundGetFailed
 */
export function outboundGet(uri: string, limits: OutboundGetLimits): Promise<OutboundGetResult> {
  const { what } = limits;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return Promise.reject(new OutboundGetFailed(`${what} is not a URL`));
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return Promise.reject(new OutboundGetFailed(`${what} is not http(s)`));
  let lookup: ReturnType<OutboundAddressPolicy['guard']>;
  try {
    lookup = limits.policy.guard(url);
  } catch (err: unknown) {
    return Promise.reject(new OutboundGetFailed(`${what} is refused: ${(err as Error).message}`));
  }
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      reject(err);
    };
    const tooLarge = () => new OutboundGetFailed(`${what} is larger than ${limits.maxBytes} bytes`);
    const request = send(url, { method: 'GET', headers: { accept: limits.accept }, ...(lookup ? { lookup } : {}) }, (response) => {
      const declared = Number(response.headers['content-length']);
      if (Number.isFinite(declared) && declared > limits.maxBytes) return fail(tooLarge());
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limits.maxBytes) return fail(tooLarge());
        chunks.push(chunk);
      });
      response.on('error', (err) => fail(new OutboundGetFailed(`reading ${what} failed: ${err.message}`)));
      response.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) });
      });
    });
    const timer = setTimeout(() => fail(new OutboundGetFailed(`${what} did not answer within ${limits.timeoutMs} ms`)), limits.timeoutMs);
    request.on('error', (err: Error) =>
      fail(err instanceof PrivateAddressRefused ? new OutboundGetFailed(`${what} is refused: ${err.message}`) : new OutboundGetFailed(`${what} could not be fetched: ${err.message}`)),
    );
    request.end();
  });
}
