import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DataSource } from 'typeorm';
import { loadConfig } from '#nest';
import { scratchServerDatabase } from '#testing';
import { AuthorizationConfig } from '../config/authorization.config.js';
import { authorizationDataSource } from '../persistence/authorization-database.fixtures.js';
import { InteractionEntity } from '../persistence/entities/interaction.entity.js';
import { InteractionState1765400000000 } from '../persistence/migrations/1765400000000-InteractionState.js';
import { AUTHORIZATION_MIGRATIONS } from '../persistence/migrations/index.js';
import type { AuthorizationRequest } from './authorization-request.js';
import { INTERACTION_STATES, isFinal, nextState, type InteractionState, type InteractionTransition } from './interaction-state.js';
import { InteractionStore } from './interaction.store.js';

// [from, transition, to or null when refused]: every state against every transition.
const TABLE: Array<[InteractionState, InteractionTransition, InteractionState | null]> = [
  ['started', 'signIn', 'authenticated'],
  ['started', 'choosePatient', null],
  ['started', 'complete', null],
  ['started', 'fail', 'failed'],
  ['authenticated', 'signIn', 'authenticated'],
  ['authenticated', 'choosePatient', 'authenticated'],
  ['authenticated', 'complete', 'completed'],
  ['authenticated', 'fail', 'failed'],
  ['completed', 'signIn', null],
  ['completed', 'choosePatient', null],
  ['completed', 'complete', null],
  ['completed', 'fail', null],
  ['failed', 'signIn', null],
  ['failed', 'choosePatient', null],
  ['failed', 'complete', null],
  ['failed', 'fail', null],
];

describe('interaction states (pure)', () => {
  for (const [from, transition, to] of TABLE) it(`${from} --${transition}--> ${to ?? 'refused'}`, () => assert.equal(nextState(from, transition), to));
  it('completed and failed are final, the others are not', () => {
    assert.deepEqual(INTERACTION_STATES.filter(isFinal), ['completed', 'failed']);
  });
});

const REQUEST: AuthorizationRequest = { clientId: 'app', redirectUri: 'https://app.example/cb', redirectUriSent: true, scope: 'openid', codeChallenge: 'c' };

describe('interaction states (PostgreSQL): the store applies a transition only from the states it names', { skip: !process.env.DATABASE_URL && 'needs DATABASE_URL' }, () => {
  let dataSource: DataSource;
  let dropDatabase: () => Promise<void>;
  let store: InteractionStore;
  const config = loadConfig(AuthorizationConfig, { DATABASE_URL: 'postgres://unused/db', FHIR_BASE_URL: 'https://fhir.example/r4', LOG_LEVEL: 'error' });

  before(async () => {
    const scratch = await scratchServerDatabase('interactions', process.env.DATABASE_URL!);
    dropDatabase = scratch.drop;
    const open = (migrations: typeof AUTHORIZATION_MIGRATIONS) => authorizationDataSource(scratch.url, migrations, 2);
    // Rows written before the state column existed (by the release before it).
    const previous = await open(AUTHORIZATION_MIGRATIONS.slice(0, AUTHORIZATION_MIGRATIONS.indexOf(InteractionState1765400000000)));
    const row = (id: string, userId: string | null, completed: boolean) =>
      previous.query(`INSERT INTO interaction (id, binding_hash, csrf, client_id, request, user_id, expires_at, completed_at) VALUES ($1, 'h', 'c', 'app', '{}', $2, now() + interval '1 hour', ${completed ? 'now()' : 'NULL'})`, [id, userId]);
    await row('old-started', null, false);
    await row('old-authenticated', 'u1', false);
    await row('old-ended', 'u1', true);
    await previous.destroy();
    dataSource = await open(AUTHORIZATION_MIGRATIONS);
    store = new InteractionStore(dataSource, config);
  });
  after(async () => {
    await dataSource?.destroy();
    await dropDatabase?.();
  });

  const stateOf = async (id: string) => (await dataSource.getRepository(InteractionEntity).findOneByOrFail({ id })).state;
  /** A fresh interaction brought to `state` through the store's own transitions. */
  const interactionIn = async (state: InteractionState): Promise<string> => {
    const { interaction } = await store.start(REQUEST, null);
    if (state !== 'started') assert.equal(await store.signIn(interaction.id, 'u1', 's', new Date()), true);
    if (state === 'completed') assert.equal(await store.complete(interaction.id), true);
    if (state === 'failed') assert.equal(await store.fail(interaction.id), true);
    assert.equal(await stateOf(interaction.id), state);
    return interaction.id;
  };
  const apply: Record<InteractionTransition, (id: string) => Promise<boolean>> = {
    signIn: (id) => store.signIn(id, 'u2', 's2', new Date()),
    choosePatient: (id) => store.choosePatient(id, 'p-1'),
    complete: (id) => store.complete(id),
    fail: (id) => store.fail(id),
  };

  it('gives the rows already there the state their columns say', async () => {
    assert.deepEqual([await stateOf('old-started'), await stateOf('old-authenticated'), await stateOf('old-ended')], ['started', 'authenticated', 'completed']);
  });

  for (const [from, transition, to] of TABLE) {
    it(`${from} --${transition}--> ${to ?? 'refused, row unchanged'}`, async () => {
      const id = await interactionIn(from);
      assert.equal(await apply[transition](id), to !== null);
      assert.equal(await stateOf(id), to ?? from);
    });
  }

  it('ends an interaction once when two requests race to complete it', async () => {
    const id = await interactionIn('authenticated');
    assert.deepEqual((await Promise.all([store.complete(id), store.complete(id), store.fail(id)])).filter(Boolean).length, 1);
  });

  it('no longer finds an interaction once it is over', async () => {
    const { interaction, binding } = await store.start(REQUEST, null);
    assert.ok(await store.find(interaction.id, binding));
    await store.fail(interaction.id);
    assert.equal(await store.find(interaction.id, binding), null);
  });
});
