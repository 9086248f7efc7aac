import { Injectable } from '@nestjs/common';
import type { ClientRecord, PresentedClientAuth } from '#contracts';
import { InvalidClient, secretMatchesHash } from '#oauth';
import { ClientDirectory } from './client-directory.js';

/** What the authenticator needs of a directory (a narrow seam for unit tests). */
export interface ClientSource {
  get(clientId: string): Promise<ClientRecord | null>;
}

/**
 * Client authentication (RFC 6749 §2.3, §5.2): the presented method must be
 * the one the client registered; secrets are compared as SHA-256 hashes in
 * constant time. Every failure is `invalid_client` (401, with a Basic
 * challenge when Basic was used).
 */
@Injectable()
export class ClientAuthenticator {
  constructor(private readonly directory: ClientDirectory) {}

  static with(source: ClientSource): ClientAuthenticator {
    return new ClientAuthenticator(source as ClientDirectory);
  }

  async authenticate(presented: PresentedClientAuth): Promise<ClientRecord> {
    if (!presented || typeof presented !== 'object' || presented.method === 'absent') {
      throw new InvalidClient('client authentication required');
    }
    const basic = presented.method === 'client_secret_basic';
    if (presented.method === 'private_key_jwt') {
      throw new InvalidClient('private_key_jwt client authentication is not supported yet');
    }
    if (typeof presented.clientId !== 'string' || presented.clientId === '' || presented.clientId.length > 128) {
      throw new InvalidClient('unknown client', { basic });
    }
    const client = await this.directory.get(presented.clientId);
    if (!client) throw new InvalidClient('unknown client', { basic });
    const registered = client.metadata.token_endpoint_auth_method;
    if (registered !== presented.method) {
      throw new InvalidClient(`this client is registered for ${registered} authentication, not ${presented.method}`, { basic });
    }
    if (presented.method === 'none') return client;
    if (!client.client_secret_hash || typeof presented.clientSecret !== 'string' || !secretMatchesHash(presented.clientSecret, client.client_secret_hash)) {
      throw new InvalidClient('invalid client credentials', { basic });
    }
    const expiresAt = client.client_secret_expires_at ?? 0;
    if (expiresAt !== 0 && expiresAt * 1000 < Date.now()) throw new InvalidClient('the client secret has expired', { basic });
    return client;
  }
}
