// The introspection service over fake collaborators (a fake broker, revocation store, registration and
// authorization services), shared by introspection.service.spec.ts and introspection.revocation.spec.ts.
import assert from 'node:assert/strict';
import { exportJWK, generateKeyPair } from 'jose';
import { Rpc, type ClientRecord, type EventEnvelope, type IntrospectionCaller, type PublicJwk, type TokenEndpointAuthMethod, type TokenRevokedData } from '#contracts';
import { ClientAuthenticator, ClientDirectory, EventBus, loadConfig, PublicKeyRing, SigningKey, type ServiceBus } from '#nest';
import { RefreshTokenChecksum, sha256Hex } from '#oauth';
import { ReconnectingEventBus } from '#testing';
import { IntrospectionConfig } from '../config/introspection.config.js';
import type { RevocationStore } from '../persistence/revocation.store.js';
import type { RevokedGrantStore } from '../persistence/revoked-grant.store.js';
import { IntrospectionService } from './introspection.service.js';
import { RefreshTokenFilter } from './refresh-token-filter.js';
import { TokenStateService } from './token-state.service.js';

export const ISSUER = 'https://auth.example';
export const FHIR = 'https://fhir.example/r4';
export const now = () => Math.floor(Date.now() / 1000);
/** The deployment's refresh-token checksum, as the authorization service would publish it. */
const CHECKSUM_KEY = RefreshTokenChecksum.generateKey();
export const FORMAT = new RefreshTokenChecksum(CHECKSUM_KEY);
/** A text that may be one of our refresh tokens (its shape and checksum). */
export const OPAQUE = FORMAT.issue();

function client(id: string, scope: string, method: TokenEndpointAuthMethod = 'client_secret_basic'): ClientRecord {
  return {
    client_id: id,
    metadata: { redirect_uris: [], token_endpoint_auth_method: method, grant_types: ['client_credentials'], response_types: [], scope },
    ...(method === 'none' ? {} : { client_secret_hash: sha256Hex(`${id}-secret`) }),
    client_secret_expires_at: 0,
    client_id_issued_at: 0,
    revision: 1,
  };
}
export const basic = (id: string): IntrospectionCaller => ({ method: 'client_secret_basic', clientId: id, clientSecret: `${id}-secret` });

/** An in-memory bus whose broker can be taken down, and whose connection can be lost (a fake collaborator). */
class FlakyEventBus extends ReconnectingEventBus {
  down = false;
  readonly published: EventEnvelope[] = [];
  readonly attempted: string[] = [];
  override async publishEnvelope(envelope: EventEnvelope): Promise<void> {
    this.attempted.push(envelope.id);
    if (this.down) throw new Error('no responders');
    this.published.push(envelope);
    await super.publishEnvelope(envelope);
  }
}

/** A fresh service and its fakes; the caller stops `state` after its tests. */
export async function introspectionFixture() {
  const config = loadConfig(IntrospectionConfig, { ISSUER, FHIR_BASE_URL: FHIR, DATABASE_URL: 'postgres://unused/db', LOG_LEVEL: 'error' });
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const key = await SigningKey.fromJwk('k1', 'ES256', (await exportJWK(privateKey)) as Record<string, unknown>);
  const jwks = [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' } as PublicJwk];

  const clients = new Map<string, ClientRecord>(
    [client('privileged', 'system/*.rs introspect'), client('plain', 'system/*.rs'), client('other', 'system/*.rs'), client('public-app', 'launch', 'none')].map((c) => [c.client_id, c]),
  );
  const registration = { request: async (_route: unknown, { clientId }: { clientId: string }) => clients.get(clientId) ?? null } as unknown as ServiceBus;
  const events = new FlakyEventBus();
  const directory = new ClientDirectory(registration, events);
  // The revocation table and its outbox (a fake collaborator): a revocation is stored once, with its event,
  // which stays pending until the broker takes it.
  const stored: Array<{ jti: string; clientId: string }> = [];
  const outboxRows = new Map<string, { envelope: EventEnvelope<'token.revoked'>; published: boolean }>();
  const store = {
    revoke: async (data: TokenRevokedData, requestId?: string) => {
      if (stored.some((r) => r.jti === data.jti)) return null;
      stored.push({ jti: data.jti, clientId: data.client_id });
      const envelope = EventBus.envelope('token.revoked', data, { source: 'introspection', requestId });
      outboxRows.set(envelope.id, { envelope, published: false });
      return envelope;
    },
    unannounced: async (jti: string) => [...outboxRows.values()].filter((r) => !r.published && r.envelope.data.jti === jti).map((r) => r.envelope),
    announce: async (envelopes: Array<EventEnvelope<'token.revoked'>>) => {
      for (const envelope of envelopes) {
        await events.publishEnvelope(envelope as EventEnvelope);
        outboxRows.get(envelope.id)!.published = true;
      }
    },
    live: async () => [],
  } as unknown as RevocationStore;
  const grantRows: Array<{ grantId: string; clientId: string; revokedAt: Date; keepUntil: Date }> = [];
  const grantStore = {
    add: async (grantId: string, clientId: string, revokedAt: Date, keepUntil: Date) => void grantRows.push({ grantId, clientId, revokedAt, keepUntil }),
    live: async () => [],
  } as unknown as RevokedGrantStore;
  const state = new TokenStateService(store, grantStore, events);
  await state.onApplicationBootstrap();

  /** The authorization service's refresh-token revocation (a fake collaborator): its answer or failure, and what it was asked. */
  const authorization = {
    calls: [] as Array<{ subject: string; payload: unknown }>,
    answer: (): { revoked: boolean } => ({ revoked: true }),
    /** What it says of a refresh token (`authorization.v1.refresh.introspect`). */
    refresh: (_token: string): unknown => ({ active: false }),
  };
  const bus = {
    async request(route: { subject: string }, payload: { token: string }) {
      if (route.subject === Rpc.authorization.refreshTokenFormat.subject) return { checksum_key: CHECKSUM_KEY.toString('base64url'), legacy_until: null };
      authorization.calls.push({ subject: route.subject, payload });
      if (route.subject === Rpc.authorization.introspectRefreshToken.subject) return authorization.refresh(payload.token);
      return authorization.answer();
    },
  } as unknown as ServiceBus;
  const ring = await PublicKeyRing.of(jwks);
  /** Signature checks made, to see which introspections cost none. */
  const signatureChecks = { count: 0 };
  const verify = ring.verify.bind(ring);
  ring.verify = (jwt, expected) => {
    signatureChecks.count++;
    return verify(jwt, expected);
  };
  const refreshTokens = new RefreshTokenFilter(bus);
  assert.equal(await refreshTokens.ask(), true);
  const service = new IntrospectionService(config, ring, directory, ClientAuthenticator.with(directory), state, store, bus, refreshTokens);

  let counter = 0;
  function token(clientId: string, overrides: Record<string, unknown> = {}): Promise<string> {
    const iat = now();
    return key.sign({ iss: ISSUER, sub: clientId, aud: FHIR, client_id: clientId, scope: 'system/*.rs', jti: `jti-${++counter}`, iat, exp: iat + 300, ...overrides }, 'at+jwt');
  }
  const introspect = (caller: IntrospectionCaller, tokenValue?: string) => service.introspect({ params: tokenValue === undefined ? {} : { token: tokenValue }, caller });

  return { key, events, stored, grantRows, state, authorization, signatureChecks, service, token, introspect };
}
