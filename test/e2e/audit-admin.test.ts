import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import pg from 'pg';
import { sharedSuite, type RunningSuite } from '#testing';
import { assertOAuthError, basicAuth, call, machineClient, revoke, tokenFor, tokenRequest, type Reply } from './support/http.js';
import { adminToken } from './support/people.js';

const TIMEOUT_MS = 15_000;

/** Polls the admin API until `done` holds (events reach the trail asynchronously). */
async function until(read: () => Promise<Reply>, done: (reply: Reply) => boolean): Promise<Reply> {
  const deadline = Date.now() + TIMEOUT_MS;
  let reply = await read();
  while (!done(reply) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    reply = await read();
  }
  return reply;
}

describe('audit trail admin API: filters, FHIR AuditEvent export, hash-chain verification', () => {
  let suite: RunningSuite & { owned: boolean };
  let admin: string;
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });

  before(async () => {
    suite = await sharedSuite();
    admin = await adminToken(suite);
  });
  after(async () => {
    if (suite.owned) await suite.stop();
  });

  it('filters by client and type, pages with a next link, and exports FHIR R4 AuditEvents as NDJSON', async () => {
    const client = await machineClient(suite);
    const tokens = await Promise.all([1, 2, 3].map(() => tokenFor(suite, client)));
    assert.equal((await revoke(suite, tokens[0]!, basicAuth(client.client_id, client.client_secret!))).status, 200);
    const all = await until(
      () => call(suite, `/admin/audit?client_id=${client.client_id}`, { headers: auth(admin) }),
      (r) => ((r.json.events as unknown[]) ?? []).length >= 5,
    );
    assert.equal(all.status, 200, all.text);
    const types = (all.json.events as Array<{ event: { type: string } }>).map((e) => e.event.type).sort();
    assert.deepEqual(types, ['client.registered', 'token.issued', 'token.issued', 'token.issued', 'token.revoked']);

    const issued = await call(suite, `/admin/audit?client_id=${client.client_id}&type=token.issued&limit=2`, { headers: auth(admin) });
    assert.equal((issued.json.events as unknown[]).length, 2);
    assert.match(String(issued.json.next), /^\/admin\/audit\?.*after=\d+/);
    const rest = await call(suite, String(issued.json.next), { headers: auth(admin) });
    assert.equal((rest.json.events as unknown[]).length, 1);

    const from = new Date(Date.now() - 3600_000).toISOString();
    const exported = await call(suite, `/admin/audit/export?client_id=${client.client_id}&from=${encodeURIComponent(from)}`, { headers: auth(admin) });
    assert.equal(exported.status, 200);
    assert.match(exported.headers.get('content-type') ?? '', /application\/fhir\+ndjson/);
    const resources = exported.text.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(resources.length, 5);
    for (const r of resources) {
      assert.equal(r.resourceType, 'AuditEvent');
      assert.ok(r.recorded && r.type && r.source && Array.isArray(r.agent) && (r.agent as unknown[]).length > 0);
    }
    const jti = decodeJwt(tokens[1]!).jti;
    const tokenEvent = resources.find((r) => JSON.stringify(r.entity ?? []).includes(String(jti)));
    assert.ok(tokenEvent, 'the token is an entity of its token.issued AuditEvent');
    assert.deepEqual((tokenEvent!.subtype as Array<{ code: string }>)[0]!.code, 'token.issued');
  });

  it('is for admins only; bad filters are invalid_request', async () => {
    const machine = await machineClient(suite);
    assertOAuthError(await call(suite, '/admin/audit', { headers: auth(await tokenFor(suite, machine)) }), 403, 'insufficient_scope');
    assertOAuthError(await call(suite, '/admin/audit/verify'), 401, 'invalid_token');
    assertOAuthError(await call(suite, '/admin/audit?type=nope', { headers: auth(admin) }), 400, 'invalid_request');
    assertOAuthError(await call(suite, '/admin/audit?from=yesterday', { headers: auth(admin) }), 400, 'invalid_request');
    assertOAuthError(await call(suite, '/admin/audit?colour=blue', { headers: auth(admin) }), 400, 'invalid_request');
    assertOAuthError(await call(suite, '/admin/audit?limit=2&limit=3', { headers: auth(admin) }), 400, 'invalid_request');
  });

  it('the chain verifies; the table refuses changes; a row altered behind its back is reported where the chain breaks', async (t) => {
    const verified = await call(suite, '/admin/audit/verify', { headers: auth(admin) });
    assert.equal(verified.status, 200, verified.text);
    assert.equal(verified.json.valid, true, verified.text);
    assert.ok((verified.json.checked as number) > 0);
    if (!suite.databaseUrl) return t.skip('tampering needs a direct connection to the real database');

    const client = await machineClient(suite, 'system/Patient.rs', { client_name: 'Tamper Target' });
    await tokenRequest(suite, { grant_type: 'client_credentials' }, { authorization: basicAuth(client.client_id, client.client_secret!) });
    await until(
      () => call(suite, `/admin/audit?client_id=${client.client_id}&type=token.issued`, { headers: auth(admin) }),
      (r) => ((r.json.events as unknown[]) ?? []).length === 1,
    );
    const db = new pg.Client({ connectionString: suite.databaseUrl });
    await db.connect();
    try {
      await assert.rejects(db.query(`UPDATE audit_event SET type = type WHERE client_id = $1`, [client.client_id]), /append-only/);
      await assert.rejects(db.query(`DELETE FROM audit_event WHERE client_id = $1`, [client.client_id]), /append-only/);
      // A privileged intruder switches the trigger off and rewrites the scope of the token event.
      const target = await db.query<{ seq: string; data: unknown }>(`SELECT seq, data FROM audit_event WHERE client_id = $1 AND type = 'token.issued'`, [client.client_id]);
      const seq = Number(target.rows[0]!.seq);
      const rewrite = async (sql: string, values: unknown[]) => {
        await db.query('ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change');
        try {
          await db.query(sql, values);
        } finally {
          await db.query('ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_change');
        }
      };
      await rewrite(`UPDATE audit_event SET data = jsonb_set(data, '{data,scope}', '"system/*.cruds"') WHERE seq = $1`, [seq]);
      try {
        const broken = await call(suite, '/admin/audit/verify', { headers: auth(admin) });
        assert.equal(broken.json.valid, false);
        const where = broken.json.first_break as Record<string, unknown>;
        assert.equal(where.seq, seq);
        assert.equal(where.problem, 'content_altered');
      } finally {
        // The trail is shared with the other test files (the CLI verifies it too): put the row back as it was.
        await rewrite(`UPDATE audit_event SET data = $2 WHERE seq = $1`, [seq, JSON.stringify(target.rows[0]!.data)]);
      }
      assert.equal((await call(suite, '/admin/audit/verify', { headers: auth(admin) })).json.valid, true, 'restored');
    } finally {
      await db.end();
    }
  });
});
