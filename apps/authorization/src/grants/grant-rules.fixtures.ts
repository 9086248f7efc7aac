import type { DataSource } from 'typeorm';
import type { ClientRecord } from '#contracts';
import { ClientDirectory, InProcessEventBus, loadConfig, Outbox, type ServiceBus } from '#nest';
import { AuthorizationConfig } from '../config/authorization.config.js';
import { AuthorizationCodeStore } from '../persistence/authorization-code.store.js';
import { GrantStore } from '../persistence/grant.store.js';
import { RefreshTokenStore } from '../persistence/refresh-token.store.js';
import { SessionService } from '../users/session.service.js';
import { UserStore } from '../users/user.store.js';
import { CodeIssuance } from './code-issuance.js';
import { CodeRedemption } from './code-redemption.js';
import { EventRecorder } from './event-recorder.js';
import { GrantRevocation } from './grant-revocation.js';
import { RefreshGrace } from './refresh-grace.js';
import type { RefreshTokenFormat } from './refresh-token-format.js';
import { RefreshRotation } from './refresh-rotation.js';
import { RefreshTokenIssuance } from './refresh-token-issuance.js';

// RFC 7636 Appendix B.
export const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
export const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
export const REDIRECT = 'https://app.example/callback';
export const APP: ClientRecord = {
  client_id: 'app',
  metadata: { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], scope: 'openid offline_access online_access patient/*.rs' },
  client_secret_expires_at: 0,
  client_id_issued_at: 0,
  revision: 1,
};

/** The grant rules over `dataSource` (events in memory, the client directory answering `client`), with these settings. */
export function grantRules(dataSource: DataSource, format: RefreshTokenFormat, settings: Record<string, string> = {}, client: ClientRecord = APP) {
  const config = loadConfig(AuthorizationConfig, { DATABASE_URL: 'postgres://unused/db', FHIR_BASE_URL: 'https://fhir.example/r4', LOG_LEVEL: 'error', ...settings });
  const events = new EventRecorder(new Outbox(dataSource, new InProcessEventBus(), 'authorization'));
  const registration = { request: async () => client } as unknown as ServiceBus;
  const directory = new ClientDirectory(registration, new InProcessEventBus());
  const [grants, codes, tokens] = [new GrantStore(dataSource), new AuthorizationCodeStore(), new RefreshTokenStore(dataSource)];
  const sessions = new SessionService(dataSource, config);
  const users = new UserStore(dataSource);
  const revocation = new GrantRevocation(dataSource, grants, tokens, events);
  const issuance = new RefreshTokenIssuance(config, tokens, sessions, format);
  const grace = new RefreshGrace(config, tokens, grants);
  const issue = new CodeIssuance(dataSource, config, grants, codes, users, events);
  const redemption = new CodeRedemption(dataSource, config, codes, grants, directory, issuance, revocation);
  return {
    config,
    grants,
    codes,
    tokens,
    sessions,
    revocation,
    issue,
    redemption,
    rotation: new RefreshRotation(dataSource, config, tokens, grants, directory, sessions, issuance, revocation, grace, events),
    grace,
    /** A grant to the client for user `userId` (`u1`: the specs' user, patient `p1`) and its code. */
    codeFor: (scope: string, sessionHash: string | null = null, userId = 'u1', patient = 'p1') =>
      issue.createWithCode(
        { clientId: client.client_id, userId, scope, context: { patient, need_patient_banner: true }, launch: 'standalone', sessionHash },
        { redirectUri: REDIRECT, redirectUriSent: true, codeChallenge: CHALLENGE, nonce: 'n-1', authTime: new Date() },
      ),
    redeem: (code: string, overrides: Record<string, string | undefined> = {}) =>
      redemption.redeem({ code, client_id: client.client_id, redirect_uri: REDIRECT, code_verifier: VERIFIER, ...overrides }),
  };
}
