import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Rpc, type AuthorizedGrant, type DiscoveryFragment, type WebRequest, type WebResponse } from '#contracts';
import { InvalidRequest } from '#oauth';
import { AuthorizationConfig } from './config/authorization.config.js';
import { CodeRedemption } from './grants/code-redemption.js';
import { GrantRevocation } from './grants/grant-revocation.js';
import { RefreshGrace } from './grants/refresh-grace.js';
import { RefreshRotation } from './grants/refresh-rotation.js';
import { WebRouter } from './web/web-router.js';
import type {
  IntrospectRefreshTokenRequest,
  JwtBearerSubject,
  JwtBearerSubjectRequest,
  RedeemCodeRequest,
  RefreshGrantRequest,
  RefreshTokenClient,
  RefreshTokenClientRequest,
  RefreshReplay,
  RefreshTokenFormatInfo,
  RefreshTokenIntrospection,
  RevokeRefreshTokenRequest,
  SealRefreshRequest,
} from '#contracts';
import { RefreshTokenFormat } from './grants/refresh-token-format.js';
import { RefreshTokenIntrospector } from './grants/refresh-token-introspection.js';
import { JwtBearerSubjects } from './users/jwt-bearer-subjects.service.js';

function isStringRecord(value: unknown, allowArrays: boolean): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string' || (allowArrays && Array.isArray(v) && v.every((x) => typeof x === 'string')))
  );
}

/** The bus payload is JSON from the gateway: check its shape before anything reads it. */
function assertWebRequest(p: unknown): asserts p is WebRequest {
  const r = p as Partial<WebRequest> | null;
  const ok =
    typeof r?.method === 'string' &&
    typeof r.path === 'string' &&
    isStringRecord(r.query, true) &&
    (r.form === undefined || isStringRecord(r.form, true)) &&
    isStringRecord(r.cookies, false) &&
    typeof r.remoteAddress === 'string' &&
    (r.authorization === undefined || typeof r.authorization === 'string');
  if (!ok) throw new InvalidRequest('malformed web request');
}

@Controller()
export class AuthorizationController {
  constructor(
    private readonly router: WebRouter,
    private readonly codes: CodeRedemption,
    private readonly refreshes: RefreshRotation,
    private readonly grace: RefreshGrace,
    private readonly revocation: GrantRevocation,
    private readonly jwtBearer: JwtBearerSubjects,
    private readonly refreshTokens: RefreshTokenIntrospector,
    private readonly refreshTokenFormat: RefreshTokenFormat,
    private readonly config: AuthorizationConfig,
  ) {}

  @MessagePattern(Rpc.authorization.web.subject)
  web(@Payload() payload: unknown): Promise<WebResponse> {
    assertWebRequest(payload);
    return this.router.dispatch(payload);
  }

  @MessagePattern(Rpc.authorization.redeemCode.subject)
  redeemCode(@Payload() payload: RedeemCodeRequest): Promise<AuthorizedGrant> {
    return this.codes.redeem(payload);
  }

  @MessagePattern(Rpc.authorization.refresh.subject)
  refresh(@Payload() payload: RefreshGrantRequest): Promise<AuthorizedGrant | RefreshReplay> {
    return this.refreshes.refresh(payload);
  }

  @MessagePattern(Rpc.authorization.sealRefresh.subject)
  sealRefresh(@Payload() payload: SealRefreshRequest): Promise<{ sealed: boolean }> {
    return this.grace.seal(payload);
  }

  @MessagePattern(Rpc.authorization.refreshTokenClient.subject)
  refreshTokenClient(@Payload() payload: RefreshTokenClientRequest): Promise<RefreshTokenClient> {
    return this.refreshes.refreshTokenClient(payload);
  }

  @MessagePattern(Rpc.authorization.revokeRefreshToken.subject)
  revokeRefreshToken(@Payload() payload: RevokeRefreshTokenRequest): Promise<{ revoked: boolean }> {
    return this.revocation.revokeRefreshToken(payload);
  }

  @MessagePattern(Rpc.authorization.introspectRefreshToken.subject)
  introspectRefreshToken(@Payload() payload: IntrospectRefreshTokenRequest): Promise<RefreshTokenIntrospection> {
    return this.refreshTokens.introspect(payload);
  }

  @MessagePattern(Rpc.authorization.refreshTokenFormat.subject)
  refreshFormat(): RefreshTokenFormatInfo {
    return this.refreshTokenFormat.info();
  }

  @MessagePattern(Rpc.authorization.jwtBearerSubject.subject)
  jwtBearerSubject(@Payload() payload: JwtBearerSubjectRequest): Promise<JwtBearerSubject> {
    return this.jwtBearer.resolve(payload);
  }

  @MessagePattern(Rpc.service.authorization.metadata.subject)
  metadata(): DiscoveryFragment {
    return {
      service: 'authorization',
      // SMART App Launch 2.2: management_endpoint, where a person sees and takes back what apps may access.
      // RFC 9126 §5: pushed_authorization_request_endpoint.
      endpoints: { authorization_endpoint: '/authorize', pushed_authorization_request_endpoint: '/par', userinfo_endpoint: '/userinfo', end_session_endpoint: '/logout', management_endpoint: '/account' },
      lists: {
        response_types_supported: ['code'],
        response_modes_supported: ['query'],
        subject_types_supported: ['public'],
        code_challenge_methods_supported: ['S256'],
        prompt_values_supported: ['none', 'login', 'consent'],
        claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'at_hash', 'azp', 'fhirUser', 'name', 'preferred_username'],
        scopes_supported: ['openid', 'fhirUser', 'profile', 'launch', 'launch/patient', 'offline_access', 'online_access', 'patient/*.rs', 'patient/*.read', 'user/*.rs', 'user/*.read'],
      },
      // OIDC Discovery §3: request_uri_parameter_supported defaults to true, so both are stated.
      // RFC 9126 §5: require_pushed_authorization_requests (REQUIRE_PAR); request_uri_parameter_supported is about
      // OIDC request objects by reference, which stay unsupported (the PAR `request_uri` is not one).
      values: {
        authorization_response_iss_parameter_supported: true,
        request_parameter_supported: false,
        request_uri_parameter_supported: false,
        require_pushed_authorization_requests: this.config.REQUIRE_PAR === 'true',
      },
      capabilities: [
        'launch-standalone',
        'launch-ehr',
        'client-public',
        'client-confidential-symmetric',
        'context-standalone-patient',
        'context-ehr-patient',
        'context-ehr-encounter',
        'context-banner',
        'context-style',
        'permission-patient',
        'permission-user',
        'permission-offline',
        'permission-online',
        'permission-v1',
        'permission-v2',
        'sso-openid-connect',
        'authorize-post',
      ],
    };
  }
}
