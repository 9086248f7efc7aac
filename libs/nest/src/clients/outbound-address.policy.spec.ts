import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isPrivateAddress, OutboundAddressPolicy, PrivateAddressRefused } from './outbound-address.policy.js';

describe('isPrivateAddress', () => {
  const refused = [
    '10.0.0.1',
    '10.255.255.255',
    '172.16.0.1',
    '172.31.255.254',
    '192.168.1.1',
    '127.0.0.1',
    '127.1.2.3',
    '169.254.169.254',
    '0.0.0.0',
    '100.64.0.1',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:a9fe:a9fe',
    'not-an-ip',
  ];
  for (const address of refused) it(`refuses ${address}`, () => assert.equal(isPrivateAddress(address), true));
  const allowed = ['8.8.8.8', '1.1.1.1', '172.32.0.1', '172.15.255.255', '192.169.0.1', '11.0.0.1', '2606:4700:4700::1111', '2001:db8::1'];
  for (const address of allowed) it(`allows ${address}`, () => assert.equal(isPrivateAddress(address), false));
});

describe('OutboundAddressPolicy', () => {
  const strict = new OutboundAddressPolicy({ allowPrivate: false, allowedHosts: ['127.0.0.1'] });

  it('refuses a private IP literal before connecting', () => {
    for (const url of ['https://10.1.2.3/jwks', 'https://169.254.169.254/latest/meta-data', 'http://[::1]:8080/', 'http://[fe80::1]/', 'https://0.0.0.0/']) {
      assert.throws(() => strict.guard(new URL(url)), PrivateAddressRefused, url);
    }
  });

  it('exempts allow-listed hosts and passes public literals without a lookup hook', () => {
    assert.equal(strict.guard(new URL('http://127.0.0.1:9999/jwks')), undefined);
    assert.equal(strict.guard(new URL('https://8.8.8.8/jwks')), undefined);
  });

  it('checks every address a name resolves to, in the socket lookup', async () => {
    const lookup = strict.guard(new URL('http://localhost:9999/jwks'));
    assert.ok(lookup, 'names are checked when resolved');
    const error = await new Promise<Error | null>((resolve) => lookup('localhost', {}, (err) => resolve(err)));
    assert.ok(error instanceof PrivateAddressRefused, String(error));
    assert.match(error.message, /localhost resolves to/);
  });

  it('matches allow-listed IPv6 hosts with or without brackets', () => {
    const v6 = new OutboundAddressPolicy({ allowPrivate: false, allowedHosts: ['[::1]'] });
    assert.equal(v6.guard(new URL('http://[::1]:8080/jwks')), undefined);
    assert.throws(() => v6.guard(new URL('http://127.0.0.1:8080/jwks')), PrivateAddressRefused);
  });

  it('allows everything when configured to', () => {
    const open = new OutboundAddressPolicy({ allowPrivate: true, allowedHosts: [] });
    assert.equal(open.guard(new URL('https://10.1.2.3/jwks')), undefined);
    assert.equal(open.guard(new URL('http://localhost/jwks')), undefined);
  });
});
