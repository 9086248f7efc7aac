// tsyringe, under @peculiar/x509, needs the Reflect metadata polyfill loaded before it: keep this import first.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

// @peculiar/x509 verifies and signs through WebCrypto: Node's own.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/**
 * @peculiar/x509 (certificate extensions, CRLs, and building certificates for
 * tests and the development mode), loaded with what it needs. Import it from
 * here, never from the package itself.
 */
export { x509 };
