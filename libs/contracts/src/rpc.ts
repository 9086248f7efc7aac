import { subject } from './namespace.js';
import type { ClientRecord } from './client-record.js';
import type { DiscoveryFragment, HealthReport } from './discovery.js';
import type { AuditPage, AuditQuery, ClientLastUsed } from './audit-payloads.js';
import type {
  AdminSessionAnswer,
  AdminSessionRequest,
  AuthorizedGrant,
  ClientCounts,
  ClientIdsRequest,
  IntrospectRefreshTokenRequest,
  JwtBearerSubject,
  JwtBearerSubjectRequest,
  PushedAuthorizationRequest,
  PushedAuthorizationResponse,
  RedeemCodeRequest,
  RefreshGrantRequest,
  RefreshReplay,
  RefreshTokenClient,
  RefreshTokenClientRequest,
  RefreshTokenIntrospection,
  RefreshTokenFormatInfo,
  RevokeRefreshTokenRequest,
  SealRefreshRequest,
  WebRequest,
  WebResponse,
} from './authorization-payloads.js';
import type { KeyAdminRequest, KeyListResponse, PublicJwksResponse, RotateKeysRequest, RotateKeysResponse, SigningKeysResponse } from './jwks-payloads.js';
import type {
  AdminClientDetail,
  AdminClientRequest,
  AdminClientView,
  AdminRegisterClientRequest,
  AdminUpdateClientRequest,
  RotatedClientSecret,
  ClientInformationResponse,
  ClientListResponse,
  ClientLookupRequest,
  DecidePrivilegesRequest,
  LaunchableApp,
  ListClientsRequest,
  ManageClientRequest,
  RegisterClientRequest,
  UdapMetadataAnswer,
  UdapMetadataRequest,
  UdapRegisterRequest,
  UdapRegistrationAnswer,
  UpdateClientRequest,
} from './registration-payloads.js';
import type {
  IntrospectionRequest,
  IntrospectionResponseBody,
  RevocationRequest,
  TokenVerification,
  VerifyTokenRequest,
  TokenRequest,
  TokenResponseBody,
} from './token-payloads.js';

/**
 * A request/reply subject tied to its payload types. Handlers listen on
 * `route.subject`; callers go through the typed bus, never raw strings.
 */
export interface RpcRoute<Req, Res> {
  readonly subject: string;
  /**
   * Whether running the request twice does no harm (a read): the caller then
   * asks again, once, when no replica took it or the replica that took it
   * died. A request that changes something (a token issued, a code redeemed,
   * a client registered, a revocation) is never sent twice.
   */
  readonly idempotent: boolean;
  /** Phantom field carrying the types; never set at run time. */
  readonly __types?: (req: Req) => Res;
}

export type RpcRequestOf<R> = R extends RpcRoute<infer Req, unknown> ? Req : never;
export type RpcResponseOf<R> = R extends RpcRoute<unknown, infer Res> ? Res : never;

function rpc<Req, Res>(local: string, idempotent: 'read' | 'change'): RpcRoute<Req, Res> {
  return { subject: subject(local), idempotent: idempotent === 'read' };
}

export type Empty = Record<string, never>;

/** The services of the suite, as they name themselves on the bus. */
export const SERVICES = ['authorization', 'token', 'registration', 'introspection', 'jwks', 'audit'] as const;
export type ServiceName = (typeof SERVICES)[number];

function serviceRoutes(service: ServiceName) {
  return {
    /** Discovery metadata this service contributes. */
    metadata: rpc<Empty, DiscoveryFragment>(`${service}.v1.metadata`, 'read'),
    /** Liveness of the service's own dependencies (database, NATS). */
    health: rpc<Empty, HealthReport>(`${service}.v1.health`, 'read'),
  };
}

/** Every request/reply subject of the suite. */
export const Rpc = {
  service: Object.fromEntries(SERVICES.map((s) => [s, serviceRoutes(s)])) as Record<ServiceName, ReturnType<typeof serviceRoutes>>,
  registration: {
    register: rpc<RegisterClientRequest, ClientInformationResponse>('registration.v1.register', 'change'),
    read: rpc<ManageClientRequest, ClientInformationResponse>('registration.v1.read', 'read'),
    update: rpc<UpdateClientRequest, ClientInformationResponse>('registration.v1.update', 'change'),
    delete: rpc<ManageClientRequest, { deleted: true }>('registration.v1.delete', 'change'),
    /** UDAP trusted dynamic registration (POST /register with `udap`): a new registration, or a modification or cancellation of one. */
    udapRegister: rpc<UdapRegisterRequest, UdapRegistrationAnswer>('registration.v1.udap.register', 'change'),
    /** The UDAP part of `.well-known/udap`, with `signed_metadata` (the registration service holds the server certificate). */
    udapMetadata: rpc<UdapMetadataRequest, UdapMetadataAnswer>('registration.v1.udap.metadata', 'read'),
    /** Internal: the cached view of a client used on the token path. */
    lookup: rpc<ClientLookupRequest, ClientRecord | null>('registration.v1.client.lookup', 'read'),
    /** Internal: the apps an EHR launcher may offer (approved, enabled, `launch_uri` and scope `launch`), by name. */
    launchableApps: rpc<Record<string, never>, LaunchableApp[]>('registration.v1.apps.launchable', 'read'),
    /** Admin (scope `admin`): the client directory, paged, without secrets. */
    listClients: rpc<ListClientsRequest, ClientListResponse>('registration.v1.admin.clients.list', 'read'),
    /** Admin (scope `admin`): one client, without secrets, with its keys, usage and latest audit events. */
    getClient: rpc<AdminClientRequest, AdminClientDetail>('registration.v1.admin.clients.get', 'read'),
    /** Admin: register a client as an administrator (the validation of POST /register; the administrator vouches for its privileges; emits `client.registered`). */
    createClient: rpc<AdminRegisterClientRequest, ClientInformationResponse>('registration.v1.admin.clients.create', 'change'),
    /** Admin: RFC 7592 §2.2 update without the registration access token (an added privilege waits for approval; emits `client.updated`). */
    updateClient: rpc<AdminUpdateClientRequest, AdminClientView & { client_secret?: string }>('registration.v1.admin.clients.update', 'change'),
    /** Admin: disable a client (refused at /token and /authorize, its tokens inactive, its grants kept; emits `client.disabled`). */
    disableClient: rpc<AdminClientRequest, AdminClientView>('registration.v1.admin.clients.disable', 'change'),
    /** Admin: enable a disabled client again (emits `client.enabled`). */
    enableClient: rpc<AdminClientRequest, AdminClientView>('registration.v1.admin.clients.enable', 'change'),
    /** Admin: a new client secret, returned once, the old one refused at once (emits `client.secret_rotated`). */
    rotateSecret: rpc<AdminClientRequest, RotatedClientSecret>('registration.v1.admin.clients.rotate-secret', 'change'),
    /** Admin (scope `admin`): delete a client without its registration access token (emits `client.deleted` like RFC 7592 §2.3). */
    deleteClient: rpc<AdminClientRequest, { deleted: true }>('registration.v1.admin.clients.delete', 'change'),
    /** Admin (scope `admin`): approve pending privileges (trust tiers; emits `client.approved`). */
    approveClient: rpc<DecidePrivilegesRequest, AdminClientView>('registration.v1.admin.clients.approve', 'change'),
    /** Admin (scope `admin`): refuse pending privileges (trust tiers; emits `client.rejected`). */
    rejectClient: rpc<DecidePrivilegesRequest, AdminClientView>('registration.v1.admin.clients.reject', 'change'),
  },
  authorization: {
    /** Browser-facing HTTP (pages, /authorize, /launch, /userinfo, /logout, /admin/users), forwarded by the gateway. */
    web: rpc<WebRequest, WebResponse>('authorization.v1.web', 'change'),
    /** `POST /par` (RFC 9126): authenticate the client, validate the request as /authorize would, store it for one use. */
    par: rpc<PushedAuthorizationRequest, PushedAuthorizationResponse>('authorization.v1.par', 'change'),
    /** Internal, token service: single-use code redemption with PKCE (RFC 6749 §4.1.3, RFC 7636 §4.6). */
    redeemCode: rpc<RedeemCodeRequest, AuthorizedGrant>('authorization.v1.code.redeem', 'change'),
    /** Internal, token service: refresh-token rotation with reuse detection. */
    refresh: rpc<RefreshGrantRequest, AuthorizedGrant | RefreshReplay>('authorization.v1.refresh', 'change'),
    /** Internal, token service: keep a refresh's sealed token response for the grace window (REFRESH_REUSE_GRACE_SECONDS). */
    sealRefresh: rpc<SealRefreshRequest, { sealed: boolean }>('authorization.v1.refresh.seal', 'change'),
    /** Internal, token service: the client a refresh token belongs to, for a public client refreshing without `client_id` (reads only). */
    refreshTokenClient: rpc<RefreshTokenClientRequest, RefreshTokenClient>('authorization.v1.refresh.client', 'read'),
    /** Internal, introspection service: RFC 7009 for a refresh token (revokes its grant). */
    revokeRefreshToken: rpc<RevokeRefreshTokenRequest, { revoked: boolean }>('authorization.v1.refresh.revoke', 'change'),
    /** Internal, introspection service: RFC 7662 for a refresh token (is it live, and what it stands for). */
    introspectRefreshToken: rpc<IntrospectRefreshTokenRequest, RefreshTokenIntrospection>('authorization.v1.refresh.introspect', 'read'),
    /** Internal, introspection service: how refresh tokens are recognised without a lookup (checksum key, legacy horizon). */
    refreshTokenFormat: rpc<Record<string, never>, RefreshTokenFormatInfo>('authorization.v1.refresh.format', 'read'),
    /** Internal, registration service: the administrator signed in with this session cookie (pages under /admin/apps); 401 invalid_token otherwise. */
    adminSession: rpc<AdminSessionRequest, AdminSessionAnswer>('authorization.v1.admin.session', 'read'),
    /** Internal, registration service: how many grants in force each client has. */
    liveGrantCounts: rpc<ClientIdsRequest, ClientCounts>('authorization.v1.grants.live-counts', 'read'),
    /** Internal, token service: the user a JWT bearer grant (RFC 7523 §2.1) names, if the client may act for them. */
    jwtBearerSubject: rpc<JwtBearerSubjectRequest, JwtBearerSubject>('authorization.v1.jwt-bearer.subject', 'read'),
  },
  token: {
    issue: rpc<TokenRequest, TokenResponseBody>('token.v1.issue', 'change'),
  },
  introspection: {
    introspect: rpc<IntrospectionRequest, IntrospectionResponseBody>('introspection.v1.introspect', 'read'),
    revoke: rpc<RevocationRequest, { revoked: boolean }>('introspection.v1.revoke', 'change'),
    /** Internal: is this one of our active access tokens, and what does it say (for /userinfo, /launch, admin APIs)? */
    verify: rpc<VerifyTokenRequest, TokenVerification>('introspection.v1.verify', 'read'),
  },
  audit: {
    /** Internal: read back stored events (the admin API of issue #5 builds on it). */
    find: rpc<AuditQuery, AuditPage>('audit.v1.find', 'read'),
    /** Internal, registration service: when each client last got a token (its latest `token.issued`). */
    lastUsed: rpc<ClientIdsRequest, ClientLastUsed>('audit.v1.clients.last-used', 'read'),
    /** The admin API of the trail (GET /admin/audit, /admin/audit/verify, /admin/audit/export, /admin/audit/dead-letters), forwarded by the gateway. */
    web: rpc<WebRequest, WebResponse>('audit.v1.web', 'read'),
  },
  jwks: {
    publicKeys: rpc<Empty, PublicJwksResponse>('jwks.v1.public', 'read'),
    signingKeys: rpc<Empty, SigningKeysResponse>('jwks.v1.signing', 'read'),
    /** Admin (scope `admin`): the ring's keys, states and schedule, public data only. */
    listKeys: rpc<KeyAdminRequest, KeyListResponse>('jwks.v1.keys.list', 'read'),
    /** Admin (scope `admin`): rotate now (the `next` key becomes active, the active one retires). */
    rotate: rpc<RotateKeysRequest, RotateKeysResponse>('jwks.v1.keys.rotate', 'change'),
  },
} as const;
