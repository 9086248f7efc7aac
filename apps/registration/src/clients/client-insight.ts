import { Inject, Injectable, Logger } from '@nestjs/common';
import { Rpc, type AdminClientDetail, type AdminClientView, type ClientAuditEntry } from '#contracts';
import { JwksFetchFailed, JwksUriFetcher, jwksUriPolicy, ServiceBus } from '#nest';
import { RegistrationConfig } from '../config/registration.config.js';

/** How many audit events the detail shows. */
const RECENT_EVENTS = 20;

/**
 * What the directory shows beside a client's own record, asked of the
 * services that own it: when it last got a token (the audit trail's latest
 * `token.issued`), its grants in force (the authorization service) and, for
 * the detail, its latest audit events and the key ids it authenticates with.
 * A figure whose owner does not answer is left out, never invented.
 */
@Injectable()
export class ClientInsight {
  private readonly logger = new Logger('ClientInsight');
  private readonly fetcher: JwksUriFetcher;

  constructor(
    @Inject(ServiceBus) private readonly bus: ServiceBus,
    config: RegistrationConfig,
  ) {
    this.fetcher = new JwksUriFetcher(jwksUriPolicy(config));
  }

  /** The views with `last_used_at` and `live_grants` where their owners answered. */
  async withUsage(views: AdminClientView[]): Promise<AdminClientView[]> {
    if (views.length === 0) return views;
    const clientIds = views.map((v) => v.client_id);
    const [used, grants] = await Promise.all([
      this.bus.request(Rpc.audit.lastUsed, { clientIds }).catch((err: unknown) => this.missing('last use', err)),
      this.bus.request(Rpc.authorization.liveGrantCounts, { clientIds }).catch((err: unknown) => this.missing('grant counts', err)),
    ]);
    return views.map((v) => ({
      ...v,
      ...(used ? { last_used_at: used.last_used[v.client_id] ?? null } : {}),
      ...(grants ? { live_grants: grants.counts[v.client_id] ?? 0 } : {}),
    }));
  }

  /** The detail: usage, key ids, recent audit events. */
  async detail(view: AdminClientView): Promise<AdminClientDetail> {
    const [[withUsage], keys, events] = await Promise.all([this.withUsage([view]), this.keyIds(view), this.recentEvents(view.client_id)]);
    return { ...withUsage!, ...keys, ...(events ? { recent_events: events } : {}) };
  }

  private async recentEvents(clientId: string): Promise<ClientAuditEntry[] | undefined> {
    const page = await this.bus.request(Rpc.audit.find, { clientId, newest: true, limit: RECENT_EVENTS }).catch((err: unknown) => this.missing('audit events', err));
    return page?.events.map(({ event }) => {
      const actor = (event.data as { actor?: unknown }).actor;
      return { id: event.id, type: event.type, occurred_at: event.occurred_at, ...(event.request_id ? { request_id: event.request_id } : {}), ...(typeof actor === 'string' ? { actor } : {}) };
    });
  }

  /** The `kid`s of the registered `jwks`, or of the set the `jwks_uri` serves now (same outbound policy as the token path). */
  private async keyIds(view: AdminClientView): Promise<Pick<AdminClientDetail, 'key_ids' | 'jwks_uri_error'>> {
    const kids = (keys: Array<Record<string, unknown>>) => keys.map((k, i) => (typeof k.kid === 'string' ? k.kid : `(key ${i + 1} without kid)`));
    if (view.jwks) return { key_ids: kids(view.jwks.keys) };
    if (!view.jwks_uri) return {};
    try {
      return { key_ids: kids((await this.fetcher.fetch(view.jwks_uri)).jwks.keys) };
    } catch (err: unknown) {
      return { jwks_uri_error: err instanceof JwksFetchFailed ? err.message : 'the jwks_uri could not be fetched' };
    }
  }

  private missing(what: string, err: unknown): undefined {
    this.logger.warn(`the client directory shows no ${what}: ${(err as Error).message}`);
    return undefined;
  }
}
