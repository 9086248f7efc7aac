export * from './client-directory.js';
export * from './client-authenticator.js';
export * from './client-assertion.verifier.js';
export * from './client-assertion.provider.js';
export * from './client-key.resolver.js';
export * from './jwks-uri.fetcher.js';
export * from './outbound-address.policy.js';
export * from './outbound-get.js';
