import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cacheSeconds, JwksFetchFailed, JwksUriFetcher } from './jwks-uri.fetcher.js';
import { OutboundAddressPolicy } from './outbound-address.policy.js';

describe('cacheSeconds', () => {
  const cases: Array<[string | undefined, number]> = [
    [undefined, 300],
    ['max-age=600', 600],
    ['public, max-age=3600', 3600],
    ['max-age=5', 60],
    ['max-age=9999999', 86400],
    ['no-store', 60],
    ['no-cache, max-age=600', 60],
    ['private', 300],
  ];
  for (const [header, seconds] of cases) it(`${String(header)} → ${seconds} s`, () => assert.equal(cacheSeconds(header), seconds));
});

describe('JwksUriFetcher', () => {
  let server: Server;
  let base: string;
  const jwks = { keys: [{ kty: 'EC', kid: 'k1', crv: 'P-256', x: 'x', y: 'y' }] };
  before(async () => {
    server = createServer((req, res) => {
      switch (req.url) {
        case '/ok':
          res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=120' });
          return res.end(JSON.stringify(jwks));
        case '/garbage':
          res.writeHead(200, { 'content-type': 'text/html' });
          return res.end('<html>not json</html>');
        case '/not-a-set':
          res.writeHead(200, { 'content-type': 'application/json' });
          return res.end('{"kty":"EC"}');
        case '/huge':
          res.writeHead(200, { 'content-type': 'application/json' });
          return res.end(`{"keys":[],"pad":"${'x'.repeat(70_000)}"}`);
        case '/redirect':
          res.writeHead(302, { location: '/ok' });
          return res.end();
        case '/slow':
          return; // never answers
        default:
          res.writeHead(404);
          return res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  const fetcher = new JwksUriFetcher(new OutboundAddressPolicy({ allowPrivate: false, allowedHosts: ['127.0.0.1'] }), 300);

  it('fetches a JWK Set and honours max-age', async () => {
    const fetched = await fetcher.fetch(`${base}/ok`);
    assert.deepEqual(fetched.jwks, jwks);
    assert.equal(fetched.maxAgeSeconds, 120);
  });

  const failures: Array<[string, string, RegExp]> = [
    ['garbage', '/garbage', /did not return JSON/],
    ['JSON that is not a JWK Set', '/not-a-set', /not return a JWK Set/],
    ['a body over the size limit', '/huge', /larger than 65536 bytes/],
    ['a redirect', '/redirect', /HTTP 302/],
    ['a missing document', '/missing', /HTTP 404/],
    ['no answer in time', '/slow', /did not answer within 300 ms/],
  ];
  for (const [name, path, message] of failures) {
    it(`refuses ${name}`, async () => {
      await assert.rejects(fetcher.fetch(`${base}${path}`), (err: Error) => err instanceof JwksFetchFailed && message.test(err.message));
    });
  }

  it('refuses a host resolving to a loopback address that is not allow-listed', async () => {
    const port = new URL(base).port;
    await assert.rejects(fetcher.fetch(`http://localhost:${port}/ok`), (err: Error) => err instanceof JwksFetchFailed && /refused: localhost resolves to/.test(err.message));
  });

  it('refuses private IP literals without connecting', async () => {
    await assert.rejects(fetcher.fetch('https://10.0.0.7/jwks'), /refused: 10\.0\.0\.7 is a private/);
    await assert.rejects(fetcher.fetch('http://169.254.169.254/latest/meta-data'), /refused: 169\.254\.169\.254/);
  });
});
