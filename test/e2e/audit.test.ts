import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import pg from 'pg';
import { sharedSuite, type RunningSuite } from '#testing';
import { basicAuth, form, machineClient, tokenFor } from './support/http.js';

describe('audit trail', () => {
  let suite: RunningSuite & { owned: boolean };
  before(async () => (suite = await sharedSuite()));
  after(async () => suite.owned && (await suite.stop()));

  it('stores every issued and revoked token and the registration exactly once', { skip: process.env.E2E_DATABASE_URL === '' }, async (t) => {
    if (!suite.databaseUrl) return t.skip('needs the real PostgreSQL of a multi-process run');
    const client = await machineClient(suite);
    const tokens = await Promise.all(Array.from({ length: 20 }, () => tokenFor(suite, client)));
    const jtis = tokens.map((t) => decodeJwt(t).jti as string);
    const revoked = await form(suite, '/revoke', { token: tokens[0]! }, { authorization: basicAuth(client.client_id, client.client_secret!) });
    assert.equal(revoked.status, 200);

    const db = new pg.Client({ connectionString: suite.databaseUrl });
    await db.connect();
    try {
      const deadline = Date.now() + 15_000;
      let rows: Array<{ type: string; jti: string | null; n: number }> = [];
      while (Date.now() < deadline) {
        rows = (
          await db.query(
            `SELECT type, data->'data'->>'jti' AS jti, count(*)::int AS n FROM audit_event WHERE client_id = $1 GROUP BY 1, 2`,
            [client.client_id],
          )
        ).rows;
        const issued = rows.filter((r) => r.type === 'token.issued').length;
        if (issued === 20 && rows.some((r) => r.type === 'token.revoked') && rows.some((r) => r.type === 'client.registered')) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const issued = rows.filter((r) => r.type === 'token.issued');
      assert.deepEqual(issued.map((r) => r.jti).sort(), [...jtis].sort());
      assert.ok(rows.every((r) => r.n === 1), 'each event stored once');
      assert.deepEqual(rows.filter((r) => r.type === 'token.revoked').map((r) => r.jti), [jtis[0]]);
      assert.equal(rows.filter((r) => r.type === 'client.registered').length, 1);
    } finally {
      await db.end();
    }
  });
});
