import { Inject, Injectable, Logger } from '@nestjs/common';
import type {
  ClientEventData,
  ClientInformationResponse,
  ClientRecord,
  EventType,
  ManageClientRequest,
  RegisterClientRequest,
  UpdateClientRequest,
} from '#contracts';
import { EventBus } from '#nest';
import {
  generateOpaqueToken,
  InvalidClientMetadata,
  KeyEncryption,
  InvalidToken,
  isSymmetric,
  ScopeSet,
  secretMatchesHash,
  sha256Hex,
  validateClientMetadata,
  type RegistrationPolicy,
} from '#oauth';
import { RegistrationConfig } from '../config/registration.config.js';
import { ClientEntity } from '../persistence/entities/client.entity.js';
import { ClientStore } from '../persistence/client.store.js';
import { clientInformation, clientRecord, defaultScopeFor, SERVER_CONTROLLED_FIELDS } from './client-information.js';

const CLIENT_ID = /^[A-Za-z0-9._~-]{1,128}$/;

function policyFor(input: unknown): RegistrationPolicy {
  return {
    validateScope: (scope: string) => {
      const scopes = ScopeSet.parse(scope);
      // The admin scope belongs to the bootstrap administrator only.
      if (scopes.has('admin')) throw new InvalidClientMetadata('scope "admin" cannot be registered');
    },
    defaultScope: defaultScopeFor(input),
  };
}

/** RFC 7591 registration and RFC 7592 management of clients. */
@Injectable()
export class RegistrationService {
  private readonly logger = new Logger('Registration');
  private readonly encryption: KeyEncryption;

  constructor(
    private readonly store: ClientStore,
    private readonly config: RegistrationConfig,
    @Inject(EventBus) private readonly events: EventBus,
  ) {
    this.encryption = KeyEncryption.fromSetting(config.KEY_ENCRYPTION_KEY);
  }

  /** A new registration access token: its hash to check it, its envelope to return it again. */
  private newRegistrationToken(): { value: string; registrationTokenHash: string; registrationTokenEncrypted: string } {
    const value = generateOpaqueToken(32);
    return { value, registrationTokenHash: sha256Hex(value), registrationTokenEncrypted: this.encryption.encrypt(value) };
  }

  /** The client's current token, unchanged; a client stored before tokens were kept gets a new one. */
  private async currentRegistrationToken(client: ClientEntity): Promise<string> {
    if (client.registrationTokenEncrypted) return this.encryption.decrypt(client.registrationTokenEncrypted);
    const fresh = this.newRegistrationToken();
    const updated = Object.assign(new ClientEntity(), client, { registrationTokenHash: fresh.registrationTokenHash, registrationTokenEncrypted: fresh.registrationTokenEncrypted });
    if (!(await this.store.replace(updated, client.revision))) throw new InvalidToken('the client was changed concurrently; read it again');
    return fresh.value;
  }

  async register(request: RegisterClientRequest): Promise<ClientInformationResponse> {
    this.checkInitialAccessToken(request.bearer);
    const { metadata, requestedClientId } = validateClientMetadata(request.metadata, policyFor(request.metadata));
    const clientSecret = isSymmetric(metadata.token_endpoint_auth_method) ? generateOpaqueToken(32) : undefined;
    const token = this.newRegistrationToken();
    const client = Object.assign(new ClientEntity(), {
      clientId: requestedClientId ?? generateOpaqueToken(16),
      metadata,
      clientSecretHash: clientSecret ? sha256Hex(clientSecret) : null,
      clientSecretExpiresAt: 0,
      registrationTokenHash: token.registrationTokenHash,
      registrationTokenEncrypted: token.registrationTokenEncrypted,
      clientIdIssuedAt: Math.floor(Date.now() / 1000),
      revision: 1,
      managed: false,
    });
    if (!(await this.store.insert(client))) {
      throw new InvalidClientMetadata(`client_id "${client.clientId}" is already registered`);
    }
    await this.announce('client.registered', client, request.requestId);
    return clientInformation(client, this.config.ISSUER, { registrationAccessToken: token.value, clientSecret });
  }

  async read(request: ManageClientRequest): Promise<ClientInformationResponse> {
    const client = await this.authenticate(request);
    // RFC 7592 §2.1 / CONFORMANCE §6.14: the current token is returned, not rotated.
    return clientInformation(client, this.config.ISSUER, { registrationAccessToken: await this.currentRegistrationToken(client) });
  }

  async update(request: UpdateClientRequest): Promise<ClientInformationResponse> {
    const client = await this.authenticate(request);
    const body = request.metadata;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidClientMetadata('the body must be a JSON object');
    const fields = body as Record<string, unknown>;
    // RFC 7592 §2.2: the body carries the client_id, and never the server-controlled fields.
    if (fields.client_id !== client.clientId) throw new InvalidClientMetadata('client_id in the body must match the client being updated');
    const forbidden = SERVER_CONTROLLED_FIELDS.filter((f) => f in fields);
    if (forbidden.length) throw new InvalidClientMetadata(`${forbidden.join(', ')} must not be sent in an update`);
    if (fields.client_secret !== undefined) {
      const matches = typeof fields.client_secret === 'string' && client.clientSecretHash !== null && secretMatchesHash(fields.client_secret, client.clientSecretHash);
      if (!matches) throw new InvalidClientMetadata('client_secret does not match the current secret; clients cannot choose their secret');
    }
    const { metadata } = validateClientMetadata(body, policyFor(body));
    let clientSecret: string | undefined;
    let clientSecretHash = client.clientSecretHash;
    if (!isSymmetric(metadata.token_endpoint_auth_method)) {
      clientSecretHash = null;
    } else if (!clientSecretHash) {
      clientSecret = generateOpaqueToken(32);
      clientSecretHash = sha256Hex(clientSecret);
    }
    const registrationAccessToken = await this.currentRegistrationToken(client);
    const current = (await this.store.find(client.clientId)) ?? client;
    const updated = Object.assign(new ClientEntity(), current, { metadata, clientSecretHash, revision: current.revision + 1 });
    if (!(await this.store.replace(updated, current.revision))) throw new InvalidToken('the client was changed concurrently; read it again');
    await this.announce('client.updated', updated, request.requestId);
    return clientInformation(updated, this.config.ISSUER, { registrationAccessToken, clientSecret });
  }

  async delete(request: ManageClientRequest): Promise<{ deleted: true }> {
    const client = await this.authenticate(request);
    if (!(await this.store.delete(client.clientId))) throw new InvalidToken('the registration access token is no longer valid');
    await this.announce('client.deleted', client, request.requestId);
    return { deleted: true };
  }

  async lookup(clientId: unknown): Promise<ClientRecord | null> {
    if (typeof clientId !== 'string' || !CLIENT_ID.test(clientId)) return null;
    const client = await this.store.find(clientId);
    return client ? clientRecord(client) : null;
  }

  /** RFC 7592 §2: the registration access token as a bearer; every failure is the same 401 without client data. */
  private async authenticate(request: ManageClientRequest): Promise<ClientEntity> {
    if (typeof request?.clientId !== 'string' || !CLIENT_ID.test(request.clientId)) throw new InvalidToken('unknown client or invalid registration access token');
    if (typeof request.registrationAccessToken !== 'string' || request.registrationAccessToken === '') {
      throw new InvalidToken('a registration access token is required');
    }
    const client = await this.store.find(request.clientId);
    if (!client || client.managed || !secretMatchesHash(request.registrationAccessToken, client.registrationTokenHash)) {
      throw new InvalidToken('unknown client or invalid registration access token');
    }
    return client;
  }

  private checkInitialAccessToken(bearer: string | undefined): void {
    if (this.config.REGISTRATION_POLICY !== 'initial-access-token') return;
    const expected = sha256Hex(this.config.REGISTRATION_INITIAL_ACCESS_TOKEN ?? '');
    if (typeof bearer !== 'string' || !secretMatchesHash(bearer, expected)) {
      throw new InvalidToken('registration requires a valid initial access token');
    }
  }

  async announce(type: Extract<EventType, `client.${string}`>, client: ClientEntity, requestId?: string): Promise<void> {
    const data: ClientEventData = {
      client_id: client.clientId,
      ...(client.metadata.client_name ? { client_name: client.metadata.client_name } : {}),
      token_endpoint_auth_method: client.metadata.token_endpoint_auth_method,
      grant_types: client.metadata.grant_types,
      scope: client.metadata.scope,
      revision: client.revision,
    };
    // TODO(#5): transactional outbox; until then a failed publish is logged with the event id.
    await this.events.publish(type, data, { source: 'registration', requestId }).catch((err: unknown) => {
      this.logger.error(`${type} for ${client.clientId} not published: ${(err as Error).message}`);
    });
  }

}


