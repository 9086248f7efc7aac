import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TestPki } from '#testing';
import { OutboundAddressPolicy } from '../clients/outbound-address.policy.js';
import { CrlFetcher, CrlUnavailable } from './crl-fetcher.js';

describe('CRL fetching (timeout, size cap, cache, private addresses refused)', () => {
  let server: Server;
  let base: string;
  let der: Buffer;
  const hits = new Map<string, number>();
  before(async () => {
    const pki = await TestPki.create();
    der = await pki.crl([]);
    server = createServer((req, res) => {
      hits.set(req.url!, (hits.get(req.url!) ?? 0) + 1);
      if (req.url === '/ok.crl') return res.end(der);
      if (req.url === '/pem.crl') return res.end(`-----BEGIN X509 CRL-----\n${der.toString('base64')}\n-----END X509 CRL-----\n`);
      if (req.url === '/huge.crl') return res.end(Buffer.alloc(4096));
      if (req.url === '/garbage.crl') return res.end('not a CRL');
      if (req.url === '/slow.crl') return; // never answers
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  const fetcher = new CrlFetcher(new OutboundAddressPolicy({ allowPrivate: false, allowedHosts: ['127.0.0.1'] }), 300, 2048);

  it('fetches DER and PEM CRLs and keeps them until nextUpdate', async () => {
    await fetcher.crl(`${base}/ok.crl`);
    await fetcher.crl(`${base}/ok.crl`);
    assert.equal(hits.get('/ok.crl'), 1);
    assert.equal((await fetcher.crl(`${base}/pem.crl`)).entries.length, 0);
  });

  const failures: Array<[string, string, RegExp]> = [
    ['no answer in time', '/slow.crl', /did not answer within 300 ms/],
    ['a body over the size cap', '/huge.crl', /larger than 2048 bytes/],
    ['a body that is not a CRL', '/garbage.crl', /not a DER or PEM CRL/],
    ['a missing CRL', '/missing.crl', /HTTP 404/],
  ];
  for (const [name, path, message] of failures) {
    it(`refuses ${name}, and does not ask again at once`, async () => {
      await assert.rejects(fetcher.crl(`${base}${path}`), (err: unknown) => err instanceof CrlUnavailable && message.test(err.message));
      const before = hits.get(path) ?? 0;
      await assert.rejects(fetcher.crl(`${base}${path}`), CrlUnavailable);
      assert.equal(hits.get(path) ?? 0, before);
    });
  }

  it('refuses private addresses that are not allow-listed', async () => {
    const strict = new CrlFetcher(new OutboundAddressPolicy({ allowPrivate: false, allowedHosts: [] }));
    await assert.rejects(strict.crl(`${base}/ok.crl`), (err: unknown) => err instanceof CrlUnavailable && /refused: 127\.0\.0\.1 is a private/.test(err.message));
    await assert.rejects(strict.crl('http://169.254.169.254/crl'), /refused/);
  });
});
