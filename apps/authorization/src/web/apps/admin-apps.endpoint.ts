import { Inject, Injectable } from '@nestjs/common';
import { CLIENT_TRUSTS, Rpc, type AdminClientDetail, type AppAction, type ClientPrivileges, type WebRequest, type WebResponse } from '#contracts';
import { ServiceBus } from '#nest';
import { OAuthError } from '#oauth';
import type { AppsFrame, MetadataField } from '../../pages/app-views.js';
import { ConsentStore } from '../../flow/consent.store.js';
import { GrantRevocation } from '../../grants/grant-revocation.js';
import { AdminConsoleEndpoint } from '../admin-console.endpoint.js';
import { PageKit } from '../page-kit.js';
import type { SignedInVisit } from '../signed-in-grants-page.js';
import { seeOther } from '../web-response.js';
import { FORM_GRANT_TYPES } from './app-form.js';
import { AppFormPages } from './app-form.pages.js';

const PAGE = 25;
const STATUSES = ['pending', 'approved', 'rejected', 'disabled'];
const DONE: Partial<Record<AppAction, string>> = {
  approve: 'The privileges were approved.',
  reject: 'The privileges were rejected.',
  disable: 'The app is disabled: it gets no tokens and its tokens are inactive. Its grants are kept for when it is enabled again.',
  enable: 'The app is enabled again.',
  'revoke-grants': 'Every grant of the app was revoked.',
};

const privilegeList = (p: ClientPrivileges): string[] => [...p.scope, ...p.grant_types];
const first = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[0] ?? '') : (v ?? ''));

/**
 * The app directory for administrators (issue #16): /admin/apps lists every
 * client with search, filters and paging; /admin/apps/:client_id shows one
 * with every metadata field, its privileges, recent audit events and the
 * actions. Same sign-in, session and anti-CSRF cookie as /admin; the client
 * directory is the registration service's, asked with the administrator's
 * session (which it verifies with this service) so every change is audited
 * under the administrator's name.
 */
@Injectable()
export class AdminAppsEndpoint {
  constructor(
    @Inject(ServiceBus) private readonly bus: ServiceBus,
    private readonly kit: PageKit,
    private readonly console: AdminConsoleEndpoint,
    private readonly forms: AppFormPages,
    private readonly revocation: GrantRevocation,
    private readonly consents: ConsentStore,
  ) {}

  async list(req: WebRequest): Promise<WebResponse> {
    const visit = await this.console.visit(req, '/admin/apps');
    if (!('user' in visit)) return visit;
    const filters = { q: first(req.query.q).slice(0, 200), status: first(req.query.status), trust: first(req.query.trust), grantType: first(req.query.grant_type), launch: first(req.query.has_launch_uri) };
    const page = Math.max(1, Math.min(10_000, Number(/^\d{1,5}$/.test(first(req.query.page)) ? first(req.query.page) : '1') || 1));
    const answer = await this.bus.request(Rpc.registration.listClients, {
      adminSession: visit.session,
      requestId: req.requestId,
      limit: String(PAGE),
      offset: String((page - 1) * PAGE),
      ...(filters.q ? { q: filters.q } : {}),
      ...(STATUSES.includes(filters.status) ? { status: filters.status } : {}),
      ...((CLIENT_TRUSTS as readonly string[]).includes(filters.trust) ? { trust: filters.trust } : {}),
      ...(FORM_GRANT_TYPES.some((g) => g.value === filters.grantType) ? { grant_type: filters.grantType } : {}),
      ...(filters.launch === 'true' || filters.launch === 'false' ? { has_launch_uri: filters.launch } : {}),
    });
    const query = (p: number) => {
      const q = new URLSearchParams(Object.entries({ q: filters.q, status: filters.status, trust: filters.trust, grant_type: filters.grantType, has_launch_uri: filters.launch }).filter(([, v]) => v));
      q.set('page', String(p));
      return `/admin/apps?${q.toString()}`;
    };
    const body = this.kit.renderer.adminApps({
      ...this.frame(visit, 'Apps'),
      ...(first(req.query.deleted) ? { notice: `The app ${first(req.query.deleted)} was deleted.` } : {}),
      ...(first(req.query.approved) ? { notice: `The privileges of ${first(req.query.approved)} were approved.` } : {}),
      filters,
      statuses: STATUSES.map((s) => ({ value: s, label: s })),
      trusts: CLIENT_TRUSTS.map((t) => ({ value: t, label: t })),
      grantTypes: FORM_GRANT_TYPES,
      rows: answer.clients.map((c) => ({
        client: this.kit.clientView({ client_id: c.client_id, metadata: c }),
        href: `/admin/apps/${encodeURIComponent(c.client_id)}`,
        authMethod: c.token_endpoint_auth_method,
        trust: c.trust,
        status: c.status,
        createdAt: c.created_at,
        ...(c.last_used_at !== undefined ? { lastUsed: c.last_used_at ?? 'never' } : {}),
        ...(c.live_grants !== undefined ? { liveGrants: c.live_grants } : {}),
        ...(c.managed_by ? { managedBy: c.managed_by === 'clients-file' ? 'clients file' : 'configuration' } : {}),
      })),
      total: answer.total,
      from: answer.total === 0 ? 0 : answer.offset + 1,
      to: answer.offset + answer.clients.length,
      ...(page > 1 ? { previous: query(page - 1) } : {}),
      ...(answer.offset + answer.clients.length < answer.total ? { next: query(page + 1) } : {}),
    });
    return this.kit.page(200, body, [], visit.cookies);
  }

  async detail(req: WebRequest, clientId: string, extra: { secret?: string; error?: string } = {}, known?: SignedInVisit): Promise<WebResponse> {
    const visit = known ?? (await this.console.visit(req, `/admin/apps/${clientId}`));
    if (!('user' in visit)) return visit;
    const client = await this.bus.request(Rpc.registration.getClient, { adminSession: visit.session, clientId, requestId: req.requestId });
    const done = DONE[first(req.query.done) as AppAction];
    const body = this.kit.renderer.adminApp({
      ...this.frame(visit, client.client_name ?? client.client_id),
      ...(done && !extra.error ? { notice: done } : {}),
      ...(first(req.query.edited) === '1' && !extra.error ? { notice: 'The app was saved. A privilege it did not have before waits for approval.' } : {}),
      ...extra,
      client: this.kit.clientView({ client_id: client.client_id, metadata: client }),
      base: `/admin/apps/${encodeURIComponent(client.client_id)}`,
      status: client.status,
      fields: metadataFields(client),
      approved: privilegeList(client.privileges_approved),
      pending: client.managed ? [] : privilegeList(client.privileges_pending),
      rejected: privilegeList(client.privileges_rejected),
      ...(client.recent_events ? { events: client.recent_events.map((e) => ({ type: e.type, occurredAt: e.occurred_at, ...(e.actor ? { actor: e.actor } : {}) })) } : {}),
      ...(client.managed
        ? { readOnly: client.managed_by === 'clients-file' ? 'Declared in the clients file (CLIENTS_FILE): change it there; the server applies the file at start, on SIGHUP and on its interval.' : 'The bootstrap administrator client (ADMIN_CLIENT_ID and its secret): managed by the server configuration.' }
        : {}),
      disabled: client.status === 'disabled',
      hasSecret: client.token_endpoint_auth_method === 'client_secret_basic' || client.token_endpoint_auth_method === 'client_secret_post',
    });
    return this.kit.page(extra.error ? 400 : 200, body, [], visit.cookies);
  }

  /** POST /admin/apps/:client_id/:action. */
  async act(req: WebRequest, clientId: string, action: AppAction): Promise<WebResponse> {
    const visit = await this.console.visit(req, `/admin/apps/${clientId}`);
    if (!('user' in visit)) return visit;
    const base = `/admin/apps/${encodeURIComponent(clientId)}`;
    const who = { adminSession: visit.session, clientId, requestId: req.requestId };
    try {
      switch (action) {
        case 'approve':
        case 'reject': {
          const chosen = req.form?.privilege;
          const privileges = chosen === undefined ? undefined : (Array.isArray(chosen) ? chosen : [chosen]).join(' ');
          if (privileges === '') return this.detail(req, clientId, { error: 'Tick the privileges to decide on.' }, visit);
          await this.bus.request(action === 'approve' ? Rpc.registration.approveClient : Rpc.registration.rejectClient, { ...who, ...(privileges ? { privileges } : {}) });
          if (first(req.form?.return) === 'list' && action === 'approve') return seeOther(`/admin/apps?approved=${encodeURIComponent(clientId)}`);
          break;
        }
        case 'disable':
          await this.bus.request(Rpc.registration.disableClient, who);
          break;
        case 'enable':
          await this.bus.request(Rpc.registration.enableClient, who);
          break;
        case 'rotate-secret': {
          const rotated = await this.bus.request(Rpc.registration.rotateSecret, who);
          return this.detail({ ...req, query: {} }, clientId, { secret: rotated.client_secret }, visit);
        }
        case 'revoke-grants':
          await this.revocation.revokeAllOf(clientId, `user:${visit.user.id}`, req.requestId);
          await this.consents.forgetClient(clientId);
          break;
        case 'delete':
          await this.bus.request(Rpc.registration.deleteClient, who);
          return seeOther(`/admin/apps?deleted=${encodeURIComponent(clientId)}`);
      }
    } catch (err: unknown) {
      if (err instanceof OAuthError && err.status < 500 && err.status !== 404) return this.detail({ ...req, query: {} }, clientId, { error: err.description ?? err.error }, visit);
      throw err;
    }
    return seeOther(`${base}?done=${action}`);
  }

  /** GET and POST /admin/apps/new and /admin/apps/:client_id/edit. */
  async form(req: WebRequest, clientId?: string): Promise<WebResponse> {
    const visit = await this.console.visit(req, clientId ? `/admin/apps/${clientId}/edit` : '/admin/apps/new');
    if (!('user' in visit)) return visit;
    return this.forms.handle(req, visit, (title) => this.frame(visit, title), clientId);
  }

  private frame(visit: SignedInVisit, title: string): AppsFrame {
    return { title, stylesheets: this.kit.stylesheets, adminName: visit.user.displayName, csrf: visit.csrf, signOutAction: '/admin/logout' };
  }
}

/** Every metadata field of the detail, in the order the seed's app editor shows them. */
function metadataFields(c: AdminClientDetail): MetadataField[] {
  const one = (v: string | undefined) => (v ? [v] : []);
  return [
    { label: 'Client ID', values: [c.client_id], code: true },
    { label: 'Name', values: one(c.client_name) },
    { label: 'Client authentication', values: [c.token_endpoint_auth_method] },
    { label: 'Trust tier', values: [c.trust] },
    { label: 'Grant types', values: c.grant_types, code: true },
    { label: 'Scope', values: c.scope.split(' ').filter(Boolean), code: true },
    { label: 'Redirect URIs', values: c.redirect_uris, code: true },
    { label: 'Launch URI', values: one(c.launch_uri), code: true },
    { label: 'Home page', values: one(c.client_uri) },
    { label: 'Logo URI', values: one(c.logo_uri?.startsWith('data:') ? `${c.logo_uri.slice(0, 40)}…` : c.logo_uri) },
    { label: 'Terms of service', values: one(c.tos_uri) },
    { label: 'Privacy policy', values: one(c.policy_uri) },
    { label: 'Contacts', values: c.contacts ?? [] },
    { label: 'JWK Set URI', values: one(c.jwks_uri), code: true },
    { label: 'Key IDs', values: c.key_ids ?? (c.jwks_uri_error ? [c.jwks_uri_error] : []), code: c.key_ids !== undefined },
    { label: 'Software statement issuer', values: one(c.software_statement_issuer) },
    // UDAP Security 2.0 §3.4: who a UDAP client is in its community (its certificate's SAN under that anchor).
    ...(c.udap
      ? [
          { label: 'UDAP issuer (certificate SAN)', values: [c.udap.issuer], code: true },
          { label: 'UDAP community', values: [c.udap.community ?? `trust anchor SHA-256 ${c.udap.anchor_sha256}`], code: true },
          { label: 'UDAP certificate SHA-256', values: [c.udap.certificate_sha256], code: true },
        ]
      : []),
    { label: 'Managed by', values: one(c.managed_by === 'clients-file' ? 'the clients file (CLIENTS_FILE)' : c.managed_by === 'admin' ? 'the server configuration (ADMIN_CLIENT_ID)' : undefined) },
    { label: 'Created', values: [c.created_at] },
    { label: 'Updated', values: [c.updated_at] },
    { label: 'Disabled since', values: one(c.disabled_at) },
    { label: 'Last used', values: c.last_used_at === undefined ? ['unknown'] : [c.last_used_at ?? 'never'] },
    { label: 'Live grants', values: [c.live_grants === undefined ? 'unknown' : String(c.live_grants)] },
  ];
}
