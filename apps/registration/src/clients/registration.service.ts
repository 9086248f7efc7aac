import { Inject, Injectable } from '@nestjs/common';
import type { ClientInformationResponse, ClientRecord, LaunchableApp, ManageClientRequest, RegisterClientRequest, UpdateClientRequest } from '#contracts';
import { generateOpaqueToken, InvalidClientMetadata, InvalidToken, isSymmetric, secretMatchesHash, sha256Hex, TemporarilyUnavailable, type ValidatedClientRegistration } from '#oauth';
import { RegistrationConfig } from '../config/registration.config.js';
import { ClientEntity } from '../persistence/entities/client.entity.js';
import { ClientStore } from '../persistence/client.store.js';
import { ClientEventPublisher } from './client-events.publisher.js';
import { clientInformation, clientRecord } from './client-information.js';
import { privilegeFields, type Vouch } from './client-trust.js';
import { RegistrationTrust } from './registration-trust.service.js';
import { validateRegistration } from './registration-policy.js';
import { checkUpdateBody, secretChangeFor } from './update-body.js';
import { UDAP_CONFIGURATION, type UdapConfiguration } from '../udap/udap-configuration.js';

/** Characters a stored client_id can have (requested ids, generated base64url ids, the configured admin id). */
const STORABLE_CLIENT_ID = /^[A-Za-z0-9._~-]{1,128}$/;

/**
 * A server-chosen client_id: 128 random bits, base64url, never starting with
 * `-` or `_`, so it never reads as an option on a command line (`smart-auth
 * clients approve <client_id>`, whose parser took such an id for a flag: a
 * CLI test failed so when its client's id began with `-`, one id in 64).
 */
export function generatedClientId(): string {
  for (;;) {
    const id = generateOpaqueToken(16);
    if (/^[A-Za-z0-9]/.test(id)) return id;
  }
}

/** Attempts at an update that keeps losing the optimistic-concurrency race. */
const UPDATE_ATTEMPTS = 3;

/** The same answer for every management failure: RFC 7592 §2.1 says nothing about the client. */
const UNKNOWN_CLIENT_OR_TOKEN = 'unknown client or invalid registration access token';

/** RFC 7591 registration and RFC 7592 management of clients. */
@Injectable()
export class RegistrationService {
  constructor(
    private readonly store: ClientStore,
    private readonly config: RegistrationConfig,
    private readonly events: ClientEventPublisher,
    private readonly trust: RegistrationTrust,
    @Inject(UDAP_CONFIGURATION) private readonly udap: UdapConfiguration | null,
  ) {}

  /**
   * RFC 7591 §3: POST /register. Privileges (client-privileges.ts) are
   * registered as asked, but usable only as far as an initial access token, a
   * trusted software statement or an administrator vouches for them (trust
   * tiers, issue #13); the response says what waits (`privileges_pending`).
   */
  async register(request: RegisterClientRequest): Promise<ClientInformationResponse> {
    const assessed = await this.trust.assess(request.metadata, request.bearer, 'register');
    return this.create(validateRegistration(assessed.metadata), assessed.vouch, request.requestId);
  }

  /**
   * Stores a validated registration (POST /register, or an administrator's
   * POST /admin/clients) with its `client.registered` event, and answers the
   * client information with the secret and registration access token, once.
   */
  async create(validated: ValidatedClientRegistration, vouch: Vouch, requestId?: string, actor?: string): Promise<ClientInformationResponse> {
    const { metadata, requestedClientId } = validated;
    // RFC 7591 §3.2.1: a secret only for the methods that use one; `none` and `private_key_jwt` clients get none.
    const clientSecret = isSymmetric(metadata.token_endpoint_auth_method) ? generateOpaqueToken(32) : undefined;
    const registrationAccessToken = generateOpaqueToken(32);
    const client = Object.assign(new ClientEntity(), {
      clientId: requestedClientId ?? generatedClientId(),
      metadata,
      clientSecretHash: clientSecret === undefined ? null : sha256Hex(clientSecret),
      clientSecretExpiresAt: 0,
      registrationTokenHash: sha256Hex(registrationAccessToken),
      clientIdIssuedAt: Math.floor(Date.now() / 1000),
      revision: 1,
      managed: false,
      managedBy: null,
      disabledAt: null,
      ...privilegeFields(metadata, vouch),
    });
    const event = await this.store.transaction(async (manager) => {
      if (!(await this.store.insert(client, manager))) return null;
      return this.events.add(manager, 'client.registered', client, requestId, actor);
    });
    // A generated id (128 random bits) does not collide in practice; a requested one may be taken.
    if (!event) throw new InvalidClientMetadata(`client_id "${client.clientId}" is already registered`);
    await this.events.committed(event);
    return clientInformation(client, this.config.ISSUER, { registrationAccessToken, clientSecret });
  }

  /**
   * RFC 7592 §2.1: GET /register/:client_id. The registration access token is
   * not rotated (RFC 7592 allows it; OIDF's DCR tests fail on it, CONFORMANCE
   * §6.14): the presented token, whose hash just matched, is the current one
   * and is returned as is. The client secret is not returned: only its hash is
   * kept, and RFC 7592 §3 makes it optional.
   */
  async read(request: ManageClientRequest): Promise<ClientInformationResponse> {
    const { client, registrationAccessToken } = await this.authenticate(request);
    return clientInformation(client, this.config.ISSUER, { registrationAccessToken });
  }

  /**
   * RFC 7592 §2.2: PUT /register/:client_id replaces the whole record
   * (omitted fields are deleted), re-validated as a registration. The
   * registration access token stays the same (see {@link read}).
   */
  async update(request: UpdateClientRequest): Promise<ClientInformationResponse> {
    for (let attempt = 1; attempt <= UPDATE_ATTEMPTS; attempt++) {
      const { client, registrationAccessToken } = await this.authenticate(request);
      checkUpdateBody(request.metadata, client);
      const assessed = await this.trust.assess(request.metadata, undefined, 'update');
      const { metadata } = validateRegistration(assessed.metadata);
      const secret = secretChangeFor(isSymmetric(metadata.token_endpoint_auth_method), client.clientSecretHash);
      const clientSecret = secret === 'issue' ? generateOpaqueToken(32) : undefined;
      const updated = Object.assign(new ClientEntity(), client, {
        metadata,
        clientSecretHash: clientSecret !== undefined ? sha256Hex(clientSecret) : secret === 'drop' ? null : client.clientSecretHash,
        clientSecretExpiresAt: 0,
        revision: client.revision + 1,
        // RFC 7592 §2.2 with trust tiers: an update keeps an approval only as far as it covers what is asked now.
        ...privilegeFields(metadata, assessed.vouch, client),
      });
      const event = await this.store.transaction(async (manager) =>
        (await this.store.replace(updated, client.revision, manager)) ? this.events.add(manager, 'client.updated', updated, request.requestId) : null,
      );
      if (event) {
        await this.events.committed(event);
        return clientInformation(updated, this.config.ISSUER, { registrationAccessToken, clientSecret });
      }
      // Changed (or deleted) since we read it: authenticate again against the current row.
    }
    throw new TemporarilyUnavailable('the client is being changed concurrently; try again');
  }

  /** RFC 7592 §2.3: DELETE /register/:client_id. Its tokens become inactive where `client.deleted` is heard. */
  async delete(request: ManageClientRequest): Promise<{ deleted: true }> {
    const { client } = await this.authenticate(request);
    const event = await this.store.transaction(async (manager) =>
      (await this.store.delete(client.clientId, manager)) ? this.events.add(manager, 'client.deleted', client, request.requestId) : null,
    );
    if (!event) throw new InvalidToken(UNKNOWN_CLIENT_OR_TOKEN, { detail: 'deleted concurrently' });
    await this.events.committed(event);
    return { deleted: true };
  }

  /** Internal: the token and introspection services' view of a client (one primary-key read). */
  async lookup(clientId: string): Promise<ClientRecord | null> {
    if (!STORABLE_CLIENT_ID.test(clientId)) return null;
    const client = await this.store.find(clientId);
    // A disabled client is unknown to the token path: invalid_client at /token and /authorize, its tokens inactive.
    if (!client || client.disabledAt) return null;
    // A UDAP client authenticates with certificates that chain to its community's anchor, while it is configured.
    const anchor = client.udapAnchorSha256 ? this.udap?.communities.find((c) => c.anchor.sha256 === client.udapAnchorSha256)?.anchor : undefined;
    return clientRecord(client, anchor?.certificate.x5c);
  }

  /** Internal: the apps an EHR launcher may offer (the authorization service's /launcher), at most 200. */
  async launchable(): Promise<LaunchableApp[]> {
    const clients = await this.store.launchable(200);
    return clients.map(({ clientId, metadata: m }) => ({
      client_id: clientId,
      launch_uri: m.launch_uri!,
      ...(m.client_name ? { client_name: m.client_name } : {}),
      ...(m.client_uri ? { client_uri: m.client_uri } : {}),
      ...(m.logo_uri ? { logo_uri: m.logo_uri } : {}),
      ...(m.tos_uri ? { tos_uri: m.tos_uri } : {}),
      ...(m.policy_uri ? { policy_uri: m.policy_uri } : {}),
    }));
  }

  /**
   * RFC 7592 §2: the registration access token as a bearer token. Every
   * failure is the same 401 `invalid_token` without client data (RFC 6750 §3,
   * RFC 7592 §2.1). Managed clients (the administrator) are not reachable
   * here, nor is a disabled client (it cannot change itself back).
   */
  private async authenticate(request: ManageClientRequest): Promise<{ client: ClientEntity; registrationAccessToken: string }> {
    const registrationAccessToken = request.registrationAccessToken;
    if (!registrationAccessToken) throw new InvalidToken('a registration access token is required');
    const client = STORABLE_CLIENT_ID.test(request.clientId) ? await this.store.find(request.clientId) : null;
    if (!client) throw new InvalidToken(UNKNOWN_CLIENT_OR_TOKEN, { detail: 'unknown client' });
    if (client.managed || client.disabledAt || !secretMatchesHash(registrationAccessToken, client.registrationTokenHash)) {
      throw new InvalidToken(UNKNOWN_CLIENT_OR_TOKEN, { detail: client.managed ? 'managed client' : client.disabledAt ? 'disabled client' : 'token mismatch' });
    }
    return { client, registrationAccessToken };
  }
}
