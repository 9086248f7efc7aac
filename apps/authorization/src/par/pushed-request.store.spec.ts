import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DataSource } from 'typeorm';
import { scratchJanitor } from '#testing';
import { scratchAuthorizationDatabase } from '../persistence/authorization-database.fixtures.js';
import { PushedRequestStore } from './pushed-request.store.js';
import { newRequestUri } from './request-uri.js';

const PARAMS = { response_type: 'code', redirect_uri: 'https://app.example/cb', scope: 'openid', state: 's' };
const LAUNCH = { context: { patient: 'pt-1' }, binding: { client_id: 'app' }, launchedBy: 'ehr' };

describe('pushed requests in PostgreSQL (RFC 9126 §4): one use, by the client that pushed, before expiry', { skip: !process.env.DATABASE_URL && 'needs DATABASE_URL' }, () => {
  let dataSource: DataSource;
  let dropDatabase: () => Promise<void>;
  let url: string;
  let store: PushedRequestStore;

  before(async () => {
    ({ dataSource, url, drop: dropDatabase } = await scratchAuthorizationDatabase('pushed', 4));
    store = new PushedRequestStore(dataSource);
  });
  after(async () => {
    await dropDatabase?.();
  });

  const pushed = async (clientId: string, lifetimeMs = 60_000, launch: typeof LAUNCH | null = null) => {
    const { idHash } = newRequestUri();
    await store.insert({ idHash, clientId, params: PARAMS, launch, expiresAt: new Date(Date.now() + lifetimeMs) });
    return idHash;
  };

  it('gives the parameters and the resolved launch back once', async () => {
    const id = await pushed('app', 60_000, LAUNCH);
    assert.deepEqual(await store.take(id, 'app'), { params: PARAMS, launch: LAUNCH });
    assert.equal(await store.take(id, 'app'), null);
  });

  it('gives it once when two /authorize race with the same request_uri', async () => {
    const id = await pushed('app');
    const taken = await Promise.all([store.take(id, 'app'), store.take(id, 'app'), store.take(id, 'app')]);
    assert.equal(taken.filter((t) => t !== null).length, 1);
  });

  it('gives nothing to another client, and does not spend it', async () => {
    const id = await pushed('app');
    assert.equal(await store.take(id, 'other-app'), null);
    assert.ok(await store.take(id, 'app'));
  });

  it('gives nothing once expired, and the janitor deletes only expired rows', async () => {
    const expired = await pushed('app', -1_000);
    const live = await pushed('app');
    assert.equal(await store.take(expired, 'app'), null);
    await scratchJanitor(url, [store.expiredRows()]).round();
    const left = (await dataSource.query(`SELECT id_hash FROM pushed_authorization_request WHERE id_hash IN ($1, $2)`, [expired, live])) as Array<{ id_hash: string }>;
    assert.deepEqual(left.map((r) => r.id_hash), [live]);
  });

  it('stores no request_uri, only its hash', async () => {
    const { requestUri, idHash } = newRequestUri();
    await store.insert({ idHash, clientId: 'app', params: PARAMS, launch: null, expiresAt: new Date(Date.now() + 60_000) });
    const dump = JSON.stringify(await dataSource.query(`SELECT * FROM pushed_authorization_request WHERE id_hash = $1`, [idHash]));
    assert.equal(dump.includes(requestUri.split(':').pop()!), false);
  });
});
