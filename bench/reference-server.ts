/**
 * The benchmark's reference: node-oidc-provider (the OpenID-certified Node
 * authorization server the issue compares us with), one process, its
 * in-memory adapter, one `client_secret_basic` client allowed
 * `client_credentials` with `system/*.rs`, ES256 signing key, as fast as it
 * is configured out of the box. Measured on the same machine in the same run
 * as the suite, it turns the issue's absolute targets (stated against this
 * server's rates on a faster day) into ratios that do not depend on how fast
 * the shared host is today.
 *
 * `REFERENCE_FORMAT=jwt` issues RFC 9068 JWT access tokens like the suite
 * (node-oidc-provider does not store them, and refuses to introspect them);
 * `opaque` issues stored opaque tokens, the format its introspection answers
 * for. Prints `listening <port>` when ready.
 */
import Provider from 'oidc-provider';
import { exportJWK, generateKeyPair } from 'jose';
import { REFERENCE_CLIENT, REFERENCE_SCOPE } from './reference-client.js';

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 0);
  const format = process.env.REFERENCE_FORMAT === 'opaque' ? 'opaque' : 'jwt';
  const audience = process.env.FHIR_BASE_URL ?? 'http://localhost:8080/fhir';
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const key = { ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig', kid: 'reference-es256' };
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: REFERENCE_CLIENT.id,
        client_secret: REFERENCE_CLIENT.secret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'ES256',
        scope: REFERENCE_SCOPE,
      },
    ],
    jwks: { keys: [key] },
    scopes: [REFERENCE_SCOPE],
    ttl: { ClientCredentials: 3600 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      // Resource indicators (RFC 8707) are how node-oidc-provider gives client_credentials tokens an audience and a format.
      resourceIndicators: {
        enabled: true,
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: REFERENCE_SCOPE, audience, accessTokenTTL: 3600, accessTokenFormat: format, jwt: { sign: { alg: 'ES256' } } }),
      },
    },
  });
  const server = provider.listen(port, '127.0.0.1', () => {
    const address = server.address();
    console.log(`listening ${typeof address === 'object' && address ? address.port : port}`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

await main();
