import { Injectable } from '@nestjs/common';
import type { UdapClientIdentity, UdapRegistrationAnswer } from '#contracts';
import { generateOpaqueToken, InvalidClientMetadata, sha256Hex, TemporarilyUnavailable, type ValidatedClientRegistration } from '#oauth';
import { ClientEventPublisher } from '../clients/client-events.publisher.js';
import { privilegeFields, type Vouch } from '../clients/client-trust.js';
import { generatedClientId } from '../clients/registration.service.js';
import { ClientStore } from '../persistence/client.store.js';
import { ClientEntity } from '../persistence/entities/client.entity.js';
import { udapCancellationResponse, udapRegistrationResponse } from './udap-registration-response.js';

/** Attempts at a registration that keeps losing a race with another one of the same `iss`. */
const ATTEMPTS = 3;

/** A verified UDAP registration request, ready to be applied. */
export interface VerifiedUdapRegistration {
  softwareStatement: string;
  identity: UdapClientIdentity;
  /** What the community vouches for (trust tier `udap`). */
  vouch: Vouch;
  /** The metadata to register, or null for a cancellation (`grant_types: []`). */
  validated: ValidatedClientRegistration | null;
  requestId?: string;
}

/**
 * Applies a UDAP registration (UDAP Security 2.0 §3.4): the registration of
 * the same `iss` in the same community (trust anchor) is modified in place
 * (same `client_id`, `200`), a new one is created (`201`), and an empty
 * `grant_types` deletes it (`200`, its tokens then inactive wherever
 * `client.deleted` is heard). A registration in another community is never
 * touched. Privileges are tiered as for every client: what the community
 * vouches for is approved, the rest waits for an administrator, and an
 * earlier approval is kept as far as it covers what is asked now.
 */
@Injectable()
export class UdapClientRegistrations {
  constructor(
    private readonly store: ClientStore,
    private readonly events: ClientEventPublisher,
  ) {}

  async apply(request: VerifiedUdapRegistration): Promise<UdapRegistrationAnswer> {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const existing = await this.store.findUdap(request.identity.anchor_sha256, request.identity.iss);
      const answer = !request.validated ? await this.cancel(existing, request) : existing ? await this.modify(existing, request, request.validated) : await this.create(request, request.validated);
      if (answer) return answer;
      // Another registration of this iss got in first (a concurrent insert, update or delete): look again.
    }
    throw new TemporarilyUnavailable('the registration is being changed concurrently; try again');
  }

  private async create(request: VerifiedUdapRegistration, validated: ValidatedClientRegistration): Promise<UdapRegistrationAnswer | null> {
    const client = Object.assign(new ClientEntity(), {
      clientId: generatedClientId(),
      metadata: validated.metadata,
      clientSecretHash: null,
      clientSecretExpiresAt: 0,
      // RFC 7592 management is not offered: a random token nobody holds (UDAP Security 2.0 §3.4 re-registers instead).
      registrationTokenHash: sha256Hex(generateOpaqueToken(32)),
      clientIdIssuedAt: Math.floor(Date.now() / 1000),
      revision: 1,
      managed: false,
      managedBy: null,
      disabledAt: null,
      ...udapColumns(request.identity),
      ...privilegeFields(validated.metadata, request.vouch),
    });
    const event = await this.store.transaction(async (manager) => ((await this.store.insert(client, manager)) ? this.events.add(manager, 'client.registered', client, request.requestId) : null));
    if (!event) return null;
    await this.events.committed(event);
    return { status: 201, body: udapRegistrationResponse(client, request.softwareStatement) };
  }

  private async modify(existing: ClientEntity, request: VerifiedUdapRegistration, validated: ValidatedClientRegistration): Promise<UdapRegistrationAnswer | null> {
    const updated = Object.assign(new ClientEntity(), existing, {
      metadata: validated.metadata,
      clientSecretHash: null,
      clientSecretExpiresAt: 0,
      revision: existing.revision + 1,
      ...udapColumns(request.identity),
      ...privilegeFields(validated.metadata, request.vouch, existing),
    });
    const event = await this.store.transaction(async (manager) =>
      (await this.store.replace(updated, existing.revision, manager)) ? this.events.add(manager, 'client.updated', updated, request.requestId) : null,
    );
    if (!event) return null;
    await this.events.committed(event);
    return { status: 200, body: udapRegistrationResponse(updated, request.softwareStatement) };
  }

  private async cancel(existing: ClientEntity | null, request: VerifiedUdapRegistration): Promise<UdapRegistrationAnswer | null> {
    if (!existing) throw new InvalidClientMetadata('grant_types is empty, which cancels a registration, and this iss has none in this community');
    const event = await this.store.transaction(async (manager) =>
      (await this.store.delete(existing.clientId, manager)) ? this.events.add(manager, 'client.deleted', existing, request.requestId) : null,
    );
    if (!event) return null;
    await this.events.committed(event);
    return { status: 200, body: udapCancellationResponse(existing.clientId, request.softwareStatement) };
  }
}

function udapColumns(identity: UdapClientIdentity): Pick<ClientEntity, 'udapIssuer' | 'udapAnchorSha256' | 'udapCommunity' | 'udapCertificateSha256' | 'udapPublicKey'> {
  return {
    udapIssuer: identity.iss,
    udapAnchorSha256: identity.anchor_sha256,
    udapCommunity: identity.community ?? null,
    udapCertificateSha256: identity.certificate_sha256,
    udapPublicKey: identity.public_jwk,
  };
}
