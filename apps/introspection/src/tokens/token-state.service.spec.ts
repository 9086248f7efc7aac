import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Logger } from '@nestjs/common';
import type { EventListener } from '#nest';
import { ReconnectingEventBus } from '#testing';
import type { RevocationStore } from '../persistence/revocation.store.js';
import type { RevokedGrantStore } from '../persistence/revoked-grant.store.js';
import { TokenStateService } from './token-state.service.js';

Logger.overrideLogger(false); // the failure cases log on purpose

/**
 * The in-memory bus with a connection that can be cut (a fake collaborator):
 * while cut, fan-out listeners hear nothing but events are still stored, as
 * JetStream stores what other replicas publish while this one is away.
 */
class PartitionableEventBus extends ReconnectingEventBus {
  private cutOff = false;
  override subscribe(subjectPattern: string, listener: EventListener): () => void {
    return super.subscribe(subjectPattern, (event) => {
      if (!this.cutOff) listener(event);
    });
  }
  cut(): void {
    this.cutOff = true;
    this.change('lost');
  }
  heal(): void {
    this.cutOff = false;
    this.change('resumed');
  }
}

/** The two tables (fake collaborators): rows as the revoking transactions and other replicas wrote them. */
function tables() {
  const tokens: Array<{ jti: string; expiresAt: Date }> = [];
  const grants: Array<{ grantId: string; revokedAt: Date; keepUntil: Date }> = [];
  const state = { down: false, reads: 0 };
  const live = async <T>(rows: T[]): Promise<T[]> => {
    state.reads++;
    if (state.down) throw new Error('connection refused');
    return [...rows];
  };
  const store = { live: () => live(tokens) } as unknown as RevocationStore;
  const grantStore = { live: () => live(grants), add: async () => undefined } as unknown as RevokedGrantStore;
  return { tokens, grants, state, store, grantStore };
}

const now = () => Math.floor(Date.now() / 1000);
const grantRevoked = (grantId: string, revokedAt = now() + 60) => ({ grant_id: grantId, client_id: 'app', user_id: 'u', reason: 'admin' as const, revoked_at: revokedAt });
const eventually = async (what: string, holds: () => boolean, ms = 3000) => {
  const deadline = Date.now() + ms;
  while (!holds()) {
    if (Date.now() > deadline) assert.fail(`${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('TokenStateService: catching up with what a replica missed (issue #13)', () => {
  it('is caught up once started: the tables and the grant.revoked of the stream are in force', async () => {
    const events = new PartitionableEventBus();
    await events.publish('grant.revoked', grantRevoked('heard-by-nobody'), { source: 'authorization' });
    const t = tables();
    t.tokens.push({ jti: 'revoked-jti', expiresAt: new Date(Date.now() + 60_000) });
    t.grants.push({ grantId: 'stored-grant', revokedAt: new Date(), keepUntil: new Date(Date.now() + 60_000) });
    const state = new TokenStateService(t.store, t.grantStore, events);
    await state.onApplicationBootstrap();
    assert.equal(state.isMet(), true);
    assert.equal(state.name, 'revocations');
    assert.equal(state.revoked.has('revoked-jti'), true);
    assert.equal(state.revokedGrants.revokes('heard-by-nobody', now()), true);
    assert.equal(state.revokedGrants.revokes('stored-grant', now() - 1), true);
    state.onModuleDestroy();
  });

  it('is not caught up from a lost connection until it has reloaded and replayed what it missed', async () => {
    const events = new PartitionableEventBus();
    const t = tables();
    const state = new TokenStateService(t.store, t.grantStore, events);
    await state.onApplicationBootstrap();
    events.cut();
    assert.equal(state.isMet(), false, 'unready as soon as the connection is lost');
    // Meanwhile another replica revokes a token (its row) and the authorization service a grant (the stream).
    t.tokens.push({ jti: 'revoked-while-away', expiresAt: new Date(Date.now() + 60_000) });
    await events.publish('token.revoked', { jti: 'revoked-while-away', client_id: 'c', token_type: 'access_token', exp: now() + 60, reason: 'client_request' }, { source: 'introspection' });
    await events.publish('grant.revoked', grantRevoked('revoked-while-away'), { source: 'authorization' });
    assert.equal(state.revoked.has('revoked-while-away'), false, 'the fan-out did not reach this replica');
    const waiting = state.whenCaughtUp(3000);
    events.heal();
    assert.equal(await waiting, true);
    assert.equal(state.revoked.has('revoked-while-away'), true);
    assert.equal(state.revokedGrants.revokes('revoked-while-away', now()), true);
    state.onModuleDestroy();
  });

  it('stays unready while the catch-up fails, retries, and is ready once it succeeds', async () => {
    const events = new PartitionableEventBus();
    const t = tables();
    const state = new TokenStateService(t.store, t.grantStore, events);
    await state.onApplicationBootstrap();
    events.cut();
    t.state.down = true;
    events.heal();
    const reads = t.state.reads;
    await eventually('a second attempt', () => t.state.reads > reads + 1);
    assert.equal(state.isMet(), false);
    assert.equal(await state.whenCaughtUp(20), false);
    t.state.down = false;
    await eventually('caught up', () => state.isMet());
    state.onModuleDestroy();
  });

  it('a connection lost again during the catch-up keeps it unready until the next one', async () => {
    const events = new PartitionableEventBus();
    const t = tables();
    const state = new TokenStateService(t.store, t.grantStore, events);
    await state.onApplicationBootstrap();
    events.cut();
    t.state.down = true;
    events.heal();
    await eventually('an attempt', () => t.state.reads > 2);
    events.cut();
    t.state.down = false;
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(state.isMet(), false, 'the overtaken catch-up does not open the gate');
    events.heal();
    await eventually('caught up', () => state.isMet());
    state.onModuleDestroy();
  });
});
