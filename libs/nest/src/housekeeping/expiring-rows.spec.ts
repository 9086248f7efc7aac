import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backlogStatement, labelOf, purgeStatement, type ExpiringRows } from './expiring-rows.js';

const THROTTLE: ExpiringRows = { table: 'login_throttle', key: 'key', pastHorizon: 'window_started_at < now() - make_interval(secs => $1)', parameters: [900] };

describe('expiring rows: the statements a janitor runs', () => {
  it('deletes a bounded batch by key, chosen with SKIP LOCKED, the horizon checked again; the limit is the last parameter', () => {
    const { sql, parameters } = purgeStatement(THROTTLE, 5000);
    assert.equal(
      sql,
      'DELETE FROM login_throttle WHERE key = ANY(ARRAY(SELECT key FROM login_throttle WHERE window_started_at < now() - make_interval(secs => $1) LIMIT $2 FOR UPDATE SKIP LOCKED))' +
        ' AND (window_started_at < now() - make_interval(secs => $1))',
    );
    assert.deepEqual(parameters, [900, 5000]);
  });

  it('numbers the limit $1 when the horizon takes no parameter', () => {
    const { sql, parameters } = purgeStatement({ table: 'interaction', key: 'id', pastHorizon: `expires_at < now()` }, 10);
    assert.match(sql, /LIMIT \$1 FOR UPDATE SKIP LOCKED/);
    assert.deepEqual(parameters, [10]);
  });

  it('counts the backlog up to a cap', () => {
    const { sql, parameters } = backlogStatement(THROTTLE, 500_000);
    assert.equal(sql, 'SELECT count(*)::int AS backlog FROM (SELECT 1 FROM login_throttle WHERE window_started_at < now() - make_interval(secs => $1) LIMIT $2) AS past');
    assert.deepEqual(parameters, [900, 500_000]);
  });

  it('labels rows by their name, or their table', () => {
    assert.equal(labelOf(THROTTLE), 'login_throttle');
    assert.equal(labelOf({ ...THROTTLE, name: 'throttle_ended' }), 'throttle_ended');
  });

  for (const [name, rows] of [
    ['a table that is not an identifier', { table: 'x; DROP TABLE y', key: 'id', pastHorizon: 'true' }],
    ['a key that is not an identifier', { table: 'x', key: 'id, 1', pastHorizon: 'true' }],
  ] as const) {
    it(`refuses ${name}`, () => assert.throws(() => purgeStatement(rows, 1), /not a table and key/));
  }
});
