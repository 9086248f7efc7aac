import type { Provider } from '@nestjs/common';
import type { CommonConfig } from '../config/common.config.js';
import { AssertionReplayStore } from '../messaging/assertion-replay.store.js';
import { ClientAssertionVerifier } from './client-assertion.verifier.js';
import { ClientDirectory } from './client-directory.js';
import { ClientKeyResolver } from './client-key.resolver.js';
import { JwksUriFetcher } from './jwks-uri.fetcher.js';
import { OutboundAddressPolicy } from './outbound-address.policy.js';

/** The outbound-address policy for `jwks_uri` fetches, from JWKS_URI_ALLOW_PRIVATE and JWKS_URI_ALLOWED_HOSTS. */
export function jwksUriPolicy(config: Pick<CommonConfig, 'JWKS_URI_ALLOW_PRIVATE' | 'JWKS_URI_ALLOWED_HOSTS'>): OutboundAddressPolicy {
  return new OutboundAddressPolicy({
    allowPrivate: config.JWKS_URI_ALLOW_PRIVATE === 'true',
    allowedHosts: (config.JWKS_URI_ALLOWED_HOSTS ?? '').split(','),
  });
}

/** Provides the {@link ClientAssertionVerifier} of a service that authenticates clients. */
export function clientAssertionVerifierProvider(config: CommonConfig): Provider {
  return {
    provide: ClientAssertionVerifier,
    inject: [ClientDirectory, AssertionReplayStore],
    useFactory: (directory: ClientDirectory, replays: AssertionReplayStore) =>
      new ClientAssertionVerifier(directory, new ClientKeyResolver(new JwksUriFetcher(jwksUriPolicy(config))), replays, config.ISSUER),
  };
}
