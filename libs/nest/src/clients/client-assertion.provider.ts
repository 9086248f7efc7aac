import type { Provider } from '@nestjs/common';
import type { CommonConfig } from '../config/common.config.js';
import { AssertionReplayStore } from '../messaging/assertion-replay.store.js';
import { CrlFetcher } from '../udap/crl-fetcher.js';
import { CrlRevocation } from '../udap/crl-revocation.js';
import { ClientAssertionVerifier } from './client-assertion.verifier.js';
import { ClientDirectory } from './client-directory.js';
import { ClientKeyResolver } from './client-key.resolver.js';
import { JwksUriFetcher } from './jwks-uri.fetcher.js';
import { OutboundAddressPolicy } from './outbound-address.policy.js';
import { UdapClientCertificates } from './udap-client-certificates.js';

/** The outbound-address policy for `jwks_uri` fetches, from JWKS_URI_ALLOW_PRIVATE and JWKS_URI_ALLOWED_HOSTS. */
export function jwksUriPolicy(config: Pick<CommonConfig, 'JWKS_URI_ALLOW_PRIVATE' | 'JWKS_URI_ALLOWED_HOSTS'>): OutboundAddressPolicy {
  return new OutboundAddressPolicy({
    allowPrivate: config.JWKS_URI_ALLOW_PRIVATE === 'true',
    allowedHosts: (config.JWKS_URI_ALLOWED_HOSTS ?? '').split(','),
  });
}

/** The outbound-address policy for CRL fetches: public addresses only, but the hosts of UDAP_CRL_ALLOWED_HOSTS (tests). */
export function crlPolicy(config: Pick<CommonConfig, 'UDAP_CRL_ALLOWED_HOSTS'>): OutboundAddressPolicy {
  return new OutboundAddressPolicy({ allowPrivate: false, allowedHosts: (config.UDAP_CRL_ALLOWED_HOSTS ?? '').split(',') });
}

/**
 * Provides the {@link ClientAssertionVerifier} of a service that authenticates
 * clients: registered keys (`jwks`, `jwks_uri`) and, for UDAP-registered
 * clients, their certificates (with this process's CRL cache).
 */
export function clientAssertionVerifierProvider(config: CommonConfig): Provider {
  return {
    provide: ClientAssertionVerifier,
    inject: [ClientDirectory, AssertionReplayStore],
    useFactory: (directory: ClientDirectory, replays: AssertionReplayStore) =>
      new ClientAssertionVerifier(
        directory,
        new ClientKeyResolver(new JwksUriFetcher(jwksUriPolicy(config))),
        replays,
        config.ISSUER,
        new UdapClientCertificates(new CrlRevocation(new CrlFetcher(crlPolicy(config)))),
      ),
  };
}
