import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AuditQuery, WebRequest, WebResponse } from '#contracts';
import { BearerTokens, EventBus, jsonResponse, oauthErrorJson } from '#nest';
import { InvalidRequest, OAuthError } from '#oauth';
import { AuditConfig } from '../config/audit.config.js';
import { AuditTrailStore } from '../persistence/audit-trail.store.js';
import { parseAuditQuery } from '../trail/audit-query.js';
import { toFhirAuditEvent } from './fhir-audit-event.js';

/** Query parameters of GET /admin/audit → the internal query's fields. */
const PARAMS: Record<string, keyof AuditQuery> = {
  client_id: 'clientId',
  user_id: 'userId',
  patient: 'patient',
  type: 'type',
  from: 'from',
  to: 'to',
  after: 'afterSeq',
  limit: 'limit',
};
const NUMERIC: ReadonlySet<keyof AuditQuery> = new Set(['afterSeq', 'limit']);

/**
 * The trail's admin API (bearer token with scope `admin`):
 * - `GET /admin/audit?client_id=&user_id=&patient=&type=&from=&to=&after=&limit=`: stored events, paged by `after` (the last `seq`);
 * - `GET /admin/audit/verify`: walks the hash chain, reports the first broken row;
 * - `GET /admin/audit/export?…`: the same selection as FHIR R4 AuditEvent resources, NDJSON;
 * - `GET /admin/audit/dead-letters?consumer=&after=&limit=`: events a consumer could not process (issue #14), from the
 *   dead-letter stream, paged by `after` (the last `seq`).
 */
@Injectable()
export class AuditAdminRouter {
  private readonly logger = new Logger('AuditAdmin');

  constructor(
    private readonly store: AuditTrailStore,
    private readonly bearer: BearerTokens,
    private readonly config: AuditConfig,
    @Inject(EventBus) private readonly events: EventBus,
  ) {}

  async dispatch(req: WebRequest): Promise<WebResponse> {
    try {
      if (req.method !== 'GET') return jsonResponse(405, { error: 'invalid_request', error_description: `${req.method} is not allowed here` }, { allow: 'GET' });
      await this.bearer.requireScope(req, ['admin']);
      switch (req.path) {
        case '/admin/audit': {
          const page = await this.store.find(parseAuditQuery(queryOf(req)));
          return jsonResponse(200, { events: page.events, ...(page.nextAfterSeq !== undefined ? { next: `/admin/audit?${nextQuery(req, page.nextAfterSeq)}` } : {}) });
        }
        case '/admin/audit/verify':
          return jsonResponse(200, await this.store.verify());
        case '/admin/audit/export': {
          const page = await this.store.find(parseAuditQuery(queryOf(req)));
          const body = page.events.map((e) => JSON.stringify(toFhirAuditEvent(e.event, this.config.ISSUER))).join('\n');
          const headers: Record<string, string> = { 'content-type': 'application/fhir+ndjson', 'cache-control': 'no-store' };
          if (page.nextAfterSeq !== undefined) headers.link = `</admin/audit/export?${nextQuery(req, page.nextAfterSeq)}>; rel="next"`;
          return { status: 200, headers, body: body === '' ? '' : `${body}\n` };
        }
        case '/admin/audit/dead-letters': {
          const query = deadLetterQueryOf(req);
          const page = await this.events.deadLetters(query);
          const next = page.next !== undefined ? { next: `/admin/audit/dead-letters?${nextQuery(req, page.next)}` } : {};
          return jsonResponse(200, { dead_letters: page.letters, ...next });
        }
        default:
          return jsonResponse(404, { error: 'not_found', error_description: 'no such endpoint' });
      }
    } catch (err: unknown) {
      if (err instanceof OAuthError) return oauthErrorJson(err);
      this.logger.error(`${req.path} failed: ${(err as Error).stack ?? String(err)}`);
      return jsonResponse(503, { error: 'temporarily_unavailable', error_description: 'the audit trail is not available right now' });
    }
  }
}

/** The admin query string as an internal query; repeated or unknown parameters are refused. */
function queryOf(req: WebRequest): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(req.query)) {
    const field = PARAMS[name];
    if (!field) throw new InvalidRequest(`unknown parameter ${name.slice(0, 64)}`);
    if (typeof value !== 'string') throw new InvalidRequest(`${name} is repeated`);
    if (NUMERIC.has(field)) {
      if (!/^\d{1,15}$/.test(value)) throw new InvalidRequest(`${name} must be a whole number`);
      out[field] = Number(value);
    } else {
      out[field] = value;
    }
  }
  return out;
}

/** `consumer` (a durable name), `after` (a dead-letter `seq`), `limit` (≤ 1000, default 100); nothing else. */
function deadLetterQueryOf(req: WebRequest): { consumer?: string; after: number; limit: number } {
  let consumer: string | undefined;
  let after = 0;
  let limit = 100;
  for (const [name, value] of Object.entries(req.query)) {
    if (typeof value !== 'string') throw new InvalidRequest(`${name.slice(0, 64)} is repeated`);
    if (name === 'consumer') {
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(value)) throw new InvalidRequest('consumer must be a durable consumer name');
      consumer = value;
    } else if (name === 'after' || name === 'limit') {
      if (!/^\d{1,15}$/.test(value)) throw new InvalidRequest(`${name} must be a whole number`);
      if (name === 'after') after = Number(value);
      else limit = Math.min(Math.max(Number(value), 1), 1000);
    } else throw new InvalidRequest(`unknown parameter ${name.slice(0, 64)}`);
  }
  return { ...(consumer !== undefined ? { consumer } : {}), after, limit };
}

function nextQuery(req: WebRequest, afterSeq: number): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(req.query)) if (name !== 'after' && typeof value === 'string') params.set(name, value);
  params.set('after', String(afterSeq));
  return params.toString();
}
