import { Injectable } from '@nestjs/common';
import type { AdminClientRequest, AdminClientView, AdminRegisterClientRequest, AdminUpdateClientRequest, ClientInformationResponse, RotatedClientSecret } from '#contracts';
import { generateOpaqueToken, InvalidClientMetadata, InvalidRequest, isSymmetric, sha256Hex, TemporarilyUnavailable } from '#oauth';
import { ClientEntity } from '../persistence/entities/client.entity.js';
import { ClientStore } from '../persistence/client.store.js';
import { AdminAccess } from './admin-access.js';
import { adminClientView, AdminClientsService } from './admin-clients.service.js';
import { ClientEventPublisher, type ClientEventType } from './client-events.publisher.js';
import { privilegeFields } from './client-trust.js';
import { jwksOfPastedKey } from './pasted-public-key.js';
import { RegistrationService } from './registration.service.js';
import { RegistrationTrust } from './registration-trust.service.js';
import { validateRegistration } from './registration-policy.js';
import { checkUpdateBody, secretChangeFor } from './update-body.js';

/** Attempts at a change that keeps losing the optimistic-concurrency race. */
const ATTEMPTS = 3;

/** What a change makes of the current row, or null for nothing to do; with the event it emits. */
type Change<T> = (client: ClientEntity) => Promise<{ fields: Partial<ClientEntity>; event: ClientEventType; answer: (updated: ClientEntity) => T } | null>;

/** The metadata with a pasted public key as its `jwks` (RFC 7591 §2: `jwks` and `jwks_uri` never both). */
async function withPastedKey(input: unknown, publicKey: string | undefined): Promise<Record<string, unknown>> {
  const metadata = { ...(input as Record<string, unknown>) };
  if (publicKey === undefined || publicKey.trim() === '') return metadata;
  if (metadata.jwks !== undefined || metadata.jwks_uri !== undefined) throw new InvalidClientMetadata('give a public key, jwks or jwks_uri, not several');
  return { ...metadata, jwks: await jwksOfPastedKey(publicKey) };
}

/**
 * What an administrator changes in the app directory (issue #16), each with
 * its `client.*` event (the actor named) in the change's transaction:
 * registering a client, an RFC 7592 §2.2 update without the registration
 * access token, disabling and enabling, and a new client secret. Clients
 * managed by configuration are changed by their configuration only.
 */
@Injectable()
export class AdminClientChanges {
  constructor(
    private readonly store: ClientStore,
    private readonly events: ClientEventPublisher,
    private readonly access: AdminAccess,
    private readonly directory: AdminClientsService,
    private readonly registration: RegistrationService,
    private readonly trust: RegistrationTrust,
  ) {}

  /**
   * POST /admin/clients: the validation of POST /register (RFC 7591 §2), a
   * pasted public key stored as `jwks`; the administrator vouches for the
   * privileges it registers (trust `administrator`).
   */
  async create(request: AdminRegisterClientRequest): Promise<ClientInformationResponse> {
    const actor = await this.access.require(request);
    const metadata = await withPastedKey(request.metadata, request.publicKey);
    if (metadata.software_statement !== undefined) throw new InvalidClientMetadata('an administrator registers without a software statement');
    return this.registration.create(validateRegistration(metadata), { trust: 'administrator', privileges: 'all' }, request.requestId, actor);
  }

  /**
   * PUT /admin/clients/:client_id: RFC 7592 §2.2 semantics (the whole record,
   * omitted fields deleted; `client_id` must match; no server-controlled
   * field) and registration's validation. What was approved stays approved as
   * far as it covers what is asked now; an added privilege waits for approval.
   */
  update(request: AdminUpdateClientRequest): Promise<AdminClientView & { client_secret?: string }> {
    return this.change(request, async (client) => {
      checkUpdateBody(request.metadata, client);
      const assessed = await this.trust.assess(await withPastedKey(request.metadata, request.publicKey), undefined, 'update');
      // A UDAP client's key stays its certificate's (UDAP Security 2.0 §3.1): it registers none.
      const { metadata } = validateRegistration(assessed.metadata, { keysFromCertificate: Boolean(client.udapIssuer) });
      const secret = secretChangeFor(isSymmetric(metadata.token_endpoint_auth_method), client.clientSecretHash);
      // A client that now authenticates with a secret and had none gets one, shown in this answer only (RFC 7592 §2.2).
      const issued = secret === 'issue' ? generateOpaqueToken(32) : undefined;
      const secretHash = issued !== undefined ? sha256Hex(issued) : secret === 'drop' ? null : client.clientSecretHash;
      const fields = { metadata, clientSecretHash: secretHash, clientSecretExpiresAt: 0, ...privilegeFields(metadata, assessed.vouch, client) };
      return { fields, event: 'client.updated', answer: (updated: ClientEntity) => ({ ...adminClientView(updated), ...(issued !== undefined ? { client_secret: issued } : {}) }) };
    });
  }

  /** POST /admin/clients/:client_id/disable: refused at /token and /authorize, tokens inactive, grants kept. */
  disable(request: AdminClientRequest): Promise<AdminClientView> {
    return this.change(request, async (client) => (client.disabledAt ? null : { fields: { disabledAt: new Date() }, event: 'client.disabled', answer: adminClientView }));
  }

  /** POST /admin/clients/:client_id/enable: the client and its unexpired tokens work again. */
  enable(request: AdminClientRequest): Promise<AdminClientView> {
    return this.change(request, async (client) => (client.disabledAt ? { fields: { disabledAt: null }, event: 'client.enabled', answer: adminClientView } : null));
  }

  /** POST /admin/clients/:client_id/rotate-secret: a new secret, shown this once; only its hash is kept, the old one stops working. */
  rotateSecret(request: AdminClientRequest): Promise<RotatedClientSecret> {
    const secret = generateOpaqueToken(32);
    return this.change(request, async (client) => {
      if (!isSymmetric(client.metadata.token_endpoint_auth_method)) throw new InvalidRequest(`the client authenticates with ${client.metadata.token_endpoint_auth_method}, not a client secret`);
      return {
        fields: { clientSecretHash: sha256Hex(secret), clientSecretExpiresAt: 0 },
        event: 'client.secret_rotated',
        answer: (updated) => ({ client_id: updated.clientId, client_secret: secret, client_secret_expires_at: 0 }),
      };
    });
  }

  /** Applies `change` to the current row under optimistic concurrency, with its event; a change of nothing answers the row as it is. */
  private async change<T>(request: AdminClientRequest, change: Change<T | AdminClientView>): Promise<T> {
    const actor = await this.access.require(request);
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const client = await this.directory.existing(request.clientId);
      if (client.managed) throw new InvalidRequest(`the client is managed by configuration (${client.managedBy ?? 'managed'}) and is changed there`);
      const planned = await change(client);
      if (!planned) return adminClientView(client) as T;
      const updated = Object.assign(new ClientEntity(), client, planned.fields, { revision: client.revision + 1 });
      const event = await this.store.transaction(async (manager) =>
        (await this.store.replace(updated, client.revision, manager)) ? this.events.add(manager, planned.event, updated, request.requestId, actor) : null,
      );
      if (event) {
        await this.events.committed(event);
        return planned.answer((await this.store.find(updated.clientId)) ?? updated) as T;
      }
    }
    throw new TemporarilyUnavailable('the client is being changed concurrently; try again');
  }
}
