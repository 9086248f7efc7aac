import { Injectable, Logger, Optional } from '@nestjs/common';
import type { ClientRecord, PresentedClientAuth } from '#contracts';
import { InvalidClient, InvalidRequest, OAuthError, secretMatchesHash, TemporarilyUnavailable } from '#oauth';
import { AssertionRejected, AssertionRequestMalformed } from './assertion-rejected.js';
import { ClientAssertionVerifier, type VerifiedAssertion } from './client-assertion.verifier.js';
import { ClientDirectory } from './client-directory.js';

/** What the authenticator needs of a directory (a narrow seam for unit tests). */
export interface ClientSource {
  get(clientId: string): Promise<ClientRecord | null>;
}

/** The endpoints that authenticate clients, by path: each accepts assertions addressed to it. */
export type AuthenticatingEndpoint = '/token' | '/introspect' | '/revoke' | '/par';

/** An authenticated client, with the assertion it authenticated with (its claims: a UDAP token's `extensions`). */
export interface AuthenticatedClient {
  client: ClientRecord;
  assertion?: VerifiedAssertion;
}

/**
 * Client authentication (RFC 6749 §2.3, §5.2): the presented method must be
 * the one the client registered; secrets are compared as SHA-256 hashes in
 * constant time; `private_key_jwt` assertions (RFC 7523 §2.2) are checked
 * by the {@link ClientAssertionVerifier} (UDAP Authentication Tokens too).
 * Every failure is `invalid_client` (401, with a Basic challenge when Basic
 * was used), but a malformed UDAP token request, `invalid_request`.
 */
@Injectable()
export class ClientAuthenticator {
  private readonly logger = new Logger('ClientAuthenticator');

  constructor(
    private readonly directory: ClientDirectory,
    @Optional() private readonly assertions?: ClientAssertionVerifier,
  ) {}

  static with(source: ClientSource, assertions?: ClientAssertionVerifier): ClientAuthenticator {
    return new ClientAuthenticator(source as ClientDirectory, assertions);
  }

  async authenticate(presented: PresentedClientAuth, endpoint: AuthenticatingEndpoint = '/token'): Promise<ClientRecord> {
    return (await this.authenticateRequest(presented, endpoint)).client;
  }

  /** As {@link authenticate}, with the verified assertion when the client presented one. */
  async authenticateRequest(presented: PresentedClientAuth, endpoint: AuthenticatingEndpoint = '/token'): Promise<AuthenticatedClient> {
    if (!presented || typeof presented !== 'object' || presented.method === 'absent') {
      throw new InvalidClient('client authentication required');
    }
    if (presented.method === 'private_key_jwt') {
      const assertion = await this.authenticateAssertion(presented, endpoint);
      return { client: assertion.client, assertion };
    }
    return { client: await this.authenticateWithSecret(presented) };
  }

  private async authenticateWithSecret(presented: Exclude<PresentedClientAuth, { method: 'absent' | 'private_key_jwt' }>): Promise<ClientRecord> {
    const basic = presented.method === 'client_secret_basic';
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

  /** RFC 7523 §2.2 and §3.2: a failed check is `invalid_client`, naming the check. */
  private async authenticateAssertion(presented: Extract<PresentedClientAuth, { method: 'private_key_jwt' }>, endpoint: AuthenticatingEndpoint): Promise<VerifiedAssertion> {
    if (!this.assertions) throw new InvalidClient('private_key_jwt client authentication is not available here');
    if (typeof presented.assertion !== 'string' || (presented.clientId !== undefined && typeof presented.clientId !== 'string') || (presented.udap !== undefined && typeof presented.udap !== 'string')) {
      throw new InvalidClient('malformed client assertion');
    }
    try {
      return await this.assertions.verify(presented.assertion, { use: 'client_authentication', endpoint, clientId: presented.clientId, ...(presented.udap !== undefined ? { udap: presented.udap } : {}) });
    } catch (err: unknown) {
      if (err instanceof AssertionRequestMalformed) throw new InvalidRequest(err.message);
      if (err instanceof AssertionRejected) throw new InvalidClient(`client assertion: ${err.message}`);
      if (err instanceof OAuthError) throw err;
      this.logger.error(`client assertion could not be checked: ${(err as Error).message}`);
      throw new TemporarilyUnavailable('the client assertion could not be checked; try again');
    }
  }
}
