import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Logger } from '@nestjs/common';
import { exportJWK, generateKeyPair } from 'jose';
import type { ClientRecord, JwtBearerSubject, JwtBearerSubjectRequest } from '#contracts';
import { ClientAssertionVerifier, ClientKeyResolver, InMemoryAssertionReplayStore, InProcessEventBus, JwksUriFetcher, loadConfig, OutboundAddressPolicy, AssertionRejected, SigningKey, SigningKeyRing, type ServiceBus } from '#nest';
import { InvalidGrant, JWT_BEARER_GRANT_TYPE, KeyEncryption } from '#oauth';
import { TokenConfig } from '../config/token.config.js';
import { AccessTokenIssuer } from '../tokens/access-token.issuer.js';
import { JwtBearerGrant } from './jwt-bearer.grant.js';

const ISSUER = 'https://auth.example';

function client(grants: string[] = [JWT_BEARER_GRANT_TYPE]): ClientRecord {
  return {
    client_id: 'delegate',
    metadata: { redirect_uris: [], token_endpoint_auth_method: 'private_key_jwt', grant_types: grants, response_types: [], scope: 'user/Patient.rs user/Observation.rs', jwks: { keys: [] } },
    client_id_issued_at: 0,
    revision: 1,
  };
}

/** A verifier whose outcome is scripted (its checks are tested in libs/nest). */
class ScriptedVerifier extends ClientAssertionVerifier {
  constructor(private readonly outcome: () => Promise<{ client: ClientRecord; subject: string }>) {
    super({ get: async () => null }, new ClientKeyResolver(new JwksUriFetcher(OutboundAddressPolicy.allowingEverything())), new InMemoryAssertionReplayStore(), ISSUER);
  }
  override async verify() {
    return { ...(await this.outcome()), claims: {} };
  }
}

/** The authorization service's answer, scripted. */
function authorization(answer: (r: JwtBearerSubjectRequest) => Promise<JwtBearerSubject>): ServiceBus {
  return { request: async (_route: unknown, payload: JwtBearerSubjectRequest) => answer(payload) } as unknown as ServiceBus;
}

Logger.overrideLogger(false);
describe('jwt-bearer grant (RFC 7523 §2.1)', async () => {
  const config = loadConfig(TokenConfig, { KEY_ENCRYPTION_KEY: KeyEncryption.generateSetting(), ISSUER, FHIR_BASE_URL: 'https://fhir.example', LOG_LEVEL: 'error' });
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const keys = SigningKeyRing.of([await SigningKey.fromJwk('kid-1', 'ES256', (await exportJWK(privateKey)) as Record<string, unknown>)]);
  const issuer = new AccessTokenIssuer(config, keys, new InProcessEventBus());
  const allowUser = authorization(async (r) => ({ sub: r.sub, fhirUser: 'https://fhir.example/Practitioner/p1' }));
  const grantWith = (outcome: () => Promise<{ client: ClientRecord; subject: string }>, bus = allowUser) =>
    new JwtBearerGrant(new ScriptedVerifier(outcome), bus, issuer, config);

  it('issues a token for the user with narrowed scopes and no refresh token', async () => {
    const body = await grantWith(async () => ({ client: client(), subject: 'user-1' })).handle({ params: { assertion: 'a.b.c', scope: 'user/Patient.rs user/Encounter.rs' }, client: null });
    assert.equal(body.scope, 'user/Patient.rs');
    assert.equal(body.refresh_token, undefined);
    const claims = JSON.parse(Buffer.from(body.access_token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    assert.equal(claims.sub, 'user-1');
    assert.equal(claims.client_id, 'delegate');
    assert.equal(claims.fhirUser, 'https://fhir.example/Practitioner/p1');
  });

  const refusals: Array<[string, JwtBearerGrant, Record<string, string>, string]> = [
    ['no assertion', grantWith(async () => ({ client: client(), subject: 'u' })), {}, 'invalid_request'],
    ['a rejected assertion', grantWith(async () => Promise.reject(new AssertionRejected('the assertion has expired (exp)'))), { assertion: 'x' }, 'invalid_grant'],
    ['a client not registered for the grant', grantWith(async () => ({ client: client(['client_credentials']), subject: 'u' })), { assertion: 'x' }, 'unauthorized_client'],
    ['only unregistered scopes', grantWith(async () => ({ client: client(), subject: 'u' })), { assertion: 'x', scope: 'system/*.rs' }, 'invalid_scope'],
    [
      'a user who has not allowed the client',
      grantWith(async () => ({ client: client(), subject: 'u' }), authorization(async () => Promise.reject(new InvalidGrant('not allowed')))),
      { assertion: 'x' },
      'invalid_grant',
    ],
    ['a store outage', grantWith(async () => Promise.reject(new Error('nats down'))), { assertion: 'x' }, 'temporarily_unavailable'],
  ];
  for (const [name, grant, params, error] of refusals) {
    it(`refuses ${name} with ${error}`, async () => {
      await assert.rejects(grant.handle({ params, client: null }), (err: { error: string }) => err.error === error);
    });
  }
});
