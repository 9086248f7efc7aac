import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import pg from 'pg';
import { sharedSuite, type RunningSuite } from '#testing';
import { basicAuth, machineClient, manage, revoke, tokenRequest } from './support/http.js';

const ISSUED = 20;
const TIMEOUT_MS = 15_000;

interface Row {
  type: string;
  jti: string | null;
  data_client_id: string | null;
  request_id: string | null;
  source: string;
  n: number;
}

describe('audit trail (docs/events.md)', () => {
  let suite: RunningSuite & { owned: boolean };
  before(async () => {
    suite = await sharedSuite();
  });
  after(async () => {
    if (suite.owned) await suite.stop();
  });

  it('stores every issued and revoked token and the registration exactly once', async (t) => {
    if (!suite.databaseUrl) return t.skip('needs a real database');
    const client = await machineClient(suite);
    const auth = basicAuth(client.client_id, client.client_secret!);
    const requestIds = Array.from({ length: ISSUED }, () => randomUUID());
    const replies = await Promise.all(requestIds.map((id) => tokenRequest(suite, { grant_type: 'client_credentials' }, { authorization: auth, 'x-request-id': id })));
    for (const reply of replies) assert.equal(reply.status, 200, reply.text);
    const tokens = replies.map((r) => r.json.access_token as string);
    const jtis = tokens.map((token) => decodeJwt(token).jti as string);
    assert.equal(new Set(jtis).size, ISSUED);
    assert.equal((await revoke(suite, tokens[0]!, auth)).status, 200);

    const db = new pg.Client({ connectionString: suite.databaseUrl });
    await db.connect();
    try {
      const read = async () =>
        (
          await db.query<Row>(
            `SELECT type, data->'data'->>'jti' AS jti, data->'data'->>'client_id' AS data_client_id, request_id, source, count(*)::int AS n
               FROM audit_event WHERE client_id = $1 GROUP BY 1, 2, 3, 4, 5`,
            [client.client_id],
          )
        ).rows;
      const complete = (rows: Row[]) =>
        rows.filter((r) => r.type === 'token.issued').length >= ISSUED && rows.some((r) => r.type === 'token.revoked') && rows.some((r) => r.type === 'client.registered');
      const deadline = Date.now() + TIMEOUT_MS;
      let rows = await read();
      while (!complete(rows) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        rows = await read();
      }
      const summary = JSON.stringify(rows.map((r) => [r.type, r.jti, r.n]));
      const issued = rows.filter((r) => r.type === 'token.issued');
      assert.deepEqual(issued.map((r) => r.jti).sort(), [...jtis].sort(), `issued events: ${summary}`);
      assert.ok(rows.every((r) => r.n === 1), `each event stored once: ${summary}`);
      assert.ok(rows.every((r) => r.data_client_id === client.client_id), 'data.client_id matches the client_id column');
      assert.deepEqual(issued.map((r) => r.request_id).sort(), [...requestIds].sort(), 'token.issued carries the X-Request-Id of its request');
      assert.ok(issued.every((r) => r.source === 'token'));
      assert.deepEqual(rows.filter((r) => r.type === 'token.revoked').map((r) => r.jti), [jtis[0]], summary);
      assert.equal(rows.filter((r) => r.type === 'client.registered').length, 1, summary);

      // docs/events.md: no event carries a secret or a token.
      const leaks = await db.query(
        `SELECT count(*)::int AS n FROM audit_event WHERE client_id = $1 AND (data::text LIKE '%' || $2 || '%' OR data::text LIKE '%' || $3 || '%' OR data::text LIKE '%' || $4 || '%')`,
        [client.client_id, client.client_secret, client.registration_access_token, tokens[1]!.split('.')[2]],
      );
      assert.equal(leaks.rows[0].n, 0, 'no secret, registration access token or token signature in the audit trail');
    } finally {
      await db.end();
    }
  });

  it('records the deletion of a client', async (t) => {
    if (!suite.databaseUrl) return t.skip('needs a real database');
    const client = await machineClient(suite);
    assert.equal((await manage(suite, client.client_id, 'DELETE', client.registration_access_token)).status, 204);
    const db = new pg.Client({ connectionString: suite.databaseUrl });
    await db.connect();
    try {
      const deadline = Date.now() + TIMEOUT_MS;
      let types: string[] = [];
      while (Date.now() < deadline) {
        types = (await db.query<{ type: string }>(`SELECT type FROM audit_event WHERE client_id = $1`, [client.client_id])).rows.map((r) => r.type);
        if (types.includes('client.deleted')) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.deepEqual(types.filter((x) => x.startsWith('client.')).sort(), ['client.deleted', 'client.registered']);
    } finally {
      await db.end();
    }
  });
});
