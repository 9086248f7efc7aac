import { Injectable, Logger } from '@nestjs/common';
import * as oidc from 'openid-client';
import { TemporarilyUnavailable } from '#oauth';
import { AuthorizationConfig } from '../config/authorization.config.js';

/** Where the upstream provider sends the browser back (OIDC Core §3.1.2.5). */
export const UPSTREAM_CALLBACK_PATH = '/login/callback';

/** Seconds to wait before discovery is tried again after a failure (requests in between fail fast). */
const RETRY_AFTER_SECONDS = 5;

/** Loopback hosts, the only ones an upstream may be reached over plain http. */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The upstream OpenID Connect provider this server is a relying party of
 * (UPSTREAM_OIDC_*). Its metadata is discovered lazily (OIDC Discovery §4),
 * cached, and discovered again after a failure.
 */
@Injectable()
export class UpstreamProvider {
  private readonly logger = new Logger('UpstreamProvider');
  private pending: Promise<oidc.Configuration> | null = null;
  private failedAt = 0;

  constructor(private readonly config: AuthorizationConfig) {}

  /** Whether an upstream provider replaces the built-in login. */
  get enabled(): boolean {
    return this.config.UPSTREAM_OIDC_ISSUER !== undefined;
  }

  /** The fixed redirect URI registered at the upstream provider. */
  get redirectUri(): string {
    return `${this.config.ISSUER}${UPSTREAM_CALLBACK_PATH}`;
  }

  get scope(): string {
    return this.config.UPSTREAM_OIDC_SCOPE;
  }

  get userClaim(): string {
    return this.config.UPSTREAM_OIDC_USER_CLAIM;
  }

  get match(): 'username' | 'fhirUser' {
    return this.config.UPSTREAM_OIDC_MATCH;
  }

  /** Operator-given extra authorization parameters (validated at start-up never to override ours). */
  get extraAuthorizeParams(): Record<string, string> {
    return Object.fromEntries(new URLSearchParams(this.config.UPSTREAM_OIDC_AUTHORIZE_PARAMS ?? ''));
  }

  /**
   * The client configuration at the upstream provider.
   * @throws TemporarilyUnavailable when its metadata cannot be discovered.
   */
  async configuration(): Promise<oidc.Configuration> {
    if (!this.enabled) throw new Error('no upstream OpenID Connect provider is configured');
    if (!this.pending) {
      if (Date.now() - this.failedAt < RETRY_AFTER_SECONDS * 1000) throw unavailable();
      const attempt = this.discover();
      this.pending = attempt;
      attempt.catch((err: unknown) => {
        this.logger.warn(`discovery of ${this.config.UPSTREAM_OIDC_ISSUER} failed: ${(err as Error).message}`);
        if (this.pending === attempt) this.pending = null;
        this.failedAt = Date.now();
      });
    }
    try {
      return await this.pending;
    } catch {
      throw unavailable();
    }
  }

  /** Whether a failure talking to the upstream is the network's (timeouts, refused connections) rather than a protocol error. */
  static isNetworkFailure(err: unknown): boolean {
    const e = err as { name?: string; cause?: unknown };
    return e?.name === 'TimeoutError' || e?.name === 'AbortError' || (err instanceof TypeError && e.cause !== undefined);
  }

  private async discover(): Promise<oidc.Configuration> {
    const issuer = new URL(this.config.UPSTREAM_OIDC_ISSUER!);
    const insecure = issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname);
    const execute = insecure ? [oidc.allowInsecureRequests] : [];
    // The gateway waits RPC_TIMEOUT_MS for the whole page; each upstream call gets a share of it.
    const timeout = Math.max(2, Math.floor(this.config.RPC_TIMEOUT_MS / 2000));
    const clientId = this.config.UPSTREAM_OIDC_CLIENT_ID!;
    const secret = this.config.UPSTREAM_OIDC_CLIENT_SECRET!;
    // OIDC Discovery §4.3: openid-client checks that the document's issuer is exactly this one.
    const discovered = await oidc.discovery(issuer, clientId, undefined, oidc.None(), { execute, timeout });
    const server = discovered.serverMetadata();
    // RFC 8414 §2: client_secret_basic is the default when the provider lists nothing.
    const methods = server.token_endpoint_auth_methods_supported ?? ['client_secret_basic'];
    const auth = methods.includes('client_secret_basic') || !methods.includes('client_secret_post') ? oidc.ClientSecretBasic(secret) : oidc.ClientSecretPost(secret);
    const configuration = new oidc.Configuration(server, clientId, { client_secret: secret }, auth);
    for (const step of execute) step(configuration);
    configuration.timeout = timeout;
    this.logger.log(`upstream OpenID Connect provider ${server.issuer} discovered`);
    return configuration;
  }
}

function unavailable(): TemporarilyUnavailable {
  return new TemporarilyUnavailable('the identity provider cannot be reached; try again in a moment', RETRY_AFTER_SECONDS);
}
