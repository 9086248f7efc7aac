import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

/** A client's signing key pair, its public JWK carrying `kid` and `alg`. */
export interface ClientKey {
  alg: string;
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function clientKey(alg: 'ES384' | 'RS384' | 'ES256' | 'RS256', kid = `${alg.toLowerCase()}-${randomUUID().slice(0, 8)}`): Promise<ClientKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  return { alg, kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/** A client assertion (RFC 7523 §2.2) with SMART's claims, any of which a test may override or drop (undefined). */
export async function signAssertion(
  key: ClientKey,
  clientId: string,
  audience: string,
  overrides: JWTPayload & Record<string, unknown> = {},
  header: Record<string, unknown> = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims: JWTPayload = { iss: clientId, sub: clientId, aud: audience, exp: now + 240, iat: now, jti: randomUUID(), ...overrides };
  for (const name of Object.keys(claims)) if (claims[name] === undefined) delete claims[name];
  const protectedHeader = { alg: key.alg, kid: key.kid, typ: 'JWT', ...header } as { alg: string };
  for (const name of Object.keys(protectedHeader)) if ((protectedHeader as Record<string, unknown>)[name] === undefined) delete (protectedHeader as Record<string, unknown>)[name];
  return new SignJWT(claims).setProtectedHeader(protectedHeader).sign(key.privateKey);
}

/**
 * A small HTTP server on 127.0.0.1 serving client JWK Sets (`/jwks/<name>`),
 * plus misbehaving endpoints: `/slow` never answers, `/garbage` is HTML.
 */
export class JwksServer {
  readonly sets = new Map<string, { keys: JWK[] }>();
  readonly fetches = new Map<string, number>();
  private constructor(
    private readonly server: Server,
    readonly base: string,
  ) {}

  static async start(): Promise<JwksServer> {
    const server = createServer((req, res) => {
      const path = req.url ?? '';
      self.fetches.set(path, (self.fetches.get(path) ?? 0) + 1);
      if (path === '/slow') return; // never answers
      if (path === '/garbage') {
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end('<html><body>definitely not a JWK Set</body></html>');
      }
      const set = path.startsWith('/jwks/') ? self.sets.get(path.slice('/jwks/'.length)) : undefined;
      if (!set) {
        res.writeHead(404);
        return res.end();
      }
      res.writeHead(200, { 'content-type': 'application/jwk-set+json', 'cache-control': 'max-age=300' });
      res.end(JSON.stringify(set));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const self = new JwksServer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return self;
  }

  /** Serves `keys` at a new URL and returns it. */
  serve(name: string, ...keys: ClientKey[]): string {
    this.sets.set(name, { keys: keys.map((k) => k.publicJwk) });
    return `${this.base}/jwks/${name}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
