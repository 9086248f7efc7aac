import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { eventSubject, type GrantRevokedData, type TokenRevokedData } from '#contracts';
import { EventBus, ReadinessCondition } from '#nest';
import { RevocationStore } from '../persistence/revocation.store.js';
import { RevokedGrantStore } from '../persistence/revoked-grant.store.js';
import { CatchUpGate } from './catch-up-gate.js';
import { GRANT_REVOCATION_KEEP_SECONDS, GRANT_REVOCATION_REPLAY_SECONDS, GrantRevocationList } from './grant-revocation-list.js';
import { RevocationList } from './revocation-list.js';

const MAX_GRANT_ID_LENGTH = 128;
/** Pause between two attempts of a catch-up that failed (database or stream unreachable). */
const RETRY_EVERY_MS = 500;
/** How long start-up waits for the first catch-up; after that the replica starts unready and keeps trying. */
const START_WAIT_MS = 15_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * This replica's revocation state: revoked token ids (`token.revoked`) and
 * revoked grants (`grant.revoked`), kept current by every replica's events
 * (fan-out) and purged as tokens expire.
 *
 * Fan-out events published while this replica has no broker connection are
 * never delivered to it, so the state is caught up before the replica
 * answers from it, at start and after every reconnection (issue #13):
 * - `token.revoked`: the `revoked_token` row is written in the revoking
 *   transaction, so reloading that table is authoritative.
 * - `grant.revoked`: the authorization service puts it in the JetStream
 *   stream before the revocation is confirmed, but the `revoked_grant` rows
 *   are written by the replicas that hear it, and all of them may have been
 *   away. So the stream itself is replayed for as long as a grant revocation
 *   can matter (GRANT_REVOCATION_REPLAY_SECONDS); the table is loaded too.
 *   Replaying from the stream, rather than a durable consumer shared by the
 *   replicas writing the table, makes each replica's catch-up depend on the
 *   stream alone: not on how far other replicas got, nor on redeliveries
 *   waiting out an acknowledgement timeout.
 * The catch-up runs once the server has this replica's subscriptions again
 * (EventBus `resumed`), so whatever is revoked after it began arrives as an
 * event: there is no gap. Until it is done the gate stays closed: the
 * health handler reports `revocations: catching_up` and requests wait
 * (IntrospectionService), because the queue group hands them to this
 * replica whatever its readiness says.
 */
@Injectable()
export class TokenStateService extends ReadinessCondition implements OnApplicationBootstrap, OnModuleDestroy {
  readonly name = 'revocations';
  private readonly logger = new Logger('TokenState');
  readonly revoked = new RevocationList();
  readonly revokedGrants = new GrantRevocationList();
  private readonly gate = new CatchUpGate();
  /** Counts catch-ups and lost connections: a catch-up overtaken by either stops without opening the gate. */
  private generation = 0;
  private unsubscribe: Array<() => void> = [];
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly store: RevocationStore,
    private readonly grantStore: RevokedGrantStore,
    @Inject(EventBus) private readonly events: EventBus,
  ) {
    super();
  }

  /** Whether every revocation committed before the latest (re)connection is in the state. */
  isMet(): boolean {
    return this.gate.isOpen;
  }

  /** True once caught up (at once if it is), false when `ms` pass first. */
  whenCaughtUp(ms: number): Promise<boolean> {
    return this.gate.wait(ms);
  }

  async onApplicationBootstrap(): Promise<void> {
    // Subscribe first so nothing revoked while catching up is missed.
    this.unsubscribe = [
      this.events.subscribe(eventSubject('token.revoked'), (event) => {
        const data = event.data as Partial<TokenRevokedData>;
        if (typeof data.jti === 'string' && typeof data.exp === 'number') this.revoked.add(data.jti, data.exp);
      }),
      this.events.subscribe(eventSubject('grant.revoked'), (event) => this.grantRevoked(event.data as Partial<GrantRevokedData>)),
      this.events.onConnectionChange((change) => {
        if (change === 'lost') this.fallBehind();
        else void this.catchUp('reconnection');
      }),
    ];
    const caughtUp = await Promise.race([this.catchUp('start').then(() => true), sleep(START_WAIT_MS).then(() => false)]);
    if (!caughtUp) this.logger.warn(`not caught up with revocations after ${START_WAIT_MS / 1000} s: introspection answers 503 until it is`);
    this.timer = setInterval(() => {
      const now = Math.floor(Date.now() / 1000);
      this.revoked.purge(now);
      this.revokedGrants.purge(now);
    }, 60_000);
    this.timer.unref();
  }

  /** The broker connection is lost: events from now on are missed, so nothing is answered until the catch-up after it returns. */
  private fallBehind(): void {
    this.generation++;
    this.gate.close();
    this.logger.warn('broker connection lost: introspection waits for the catch-up with the revocations made meanwhile');
  }

  /** Loads what may have been missed (see the class comment) and opens the gate; tries again until done or overtaken. */
  private async catchUp(reason: 'start' | 'reconnection'): Promise<void> {
    const generation = ++this.generation;
    this.gate.close();
    for (let attempt = 1; generation === this.generation; attempt++) {
      try {
        const since = new Date(Date.now() - GRANT_REVOCATION_REPLAY_SECONDS * 1000);
        const replayed = await this.events.replay(eventSubject('grant.revoked'), since, (event) => this.applyGrantRevoked(event.data as Partial<GrantRevokedData>));
        const tokens = await this.store.live();
        const grants = await this.grantStore.live();
        for (const row of tokens) this.revoked.add(row.jti, Math.floor(row.expiresAt.getTime() / 1000));
        for (const row of grants) {
          this.revokedGrants.add(row.grantId, Math.floor(row.revokedAt.getTime() / 1000), Math.floor(row.keepUntil.getTime() / 1000));
        }
        if (generation !== this.generation) return;
        this.gate.open();
        this.logger.log(
          `caught up with revocations (${reason}): ${tokens.length} live token revocations, ${grants.length} grant revocations stored, ${replayed} grant.revoked replayed`,
        );
        return;
      } catch (err: unknown) {
        if (generation !== this.generation) return;
        if (attempt === 1 || attempt % 20 === 0) this.logger.warn(`catching up with revocations (${reason}) failed, retrying: ${(err as Error).message}`);
        await sleep(RETRY_EVERY_MS);
      }
    }
  }

  /**
   * In force here at once; recorded so a replica that restarts still knows.
   * Every replica records it (idempotently): the table does not depend on any
   * one of them having been up.
   */
  private grantRevoked(data: Partial<GrantRevokedData>): void {
    const applied = this.applyGrantRevoked(data);
    if (!applied) return;
    this.grantStore
      .add(applied.grantId, applied.clientId, new Date(applied.revokedAt * 1000), new Date(applied.keepUntil * 1000))
      .catch((err: unknown) => this.logger.error(`grant revocation ${applied.grantId} not recorded: ${(err as Error).message}`));
  }

  /** Puts a `grant.revoked` in force here; null (logged) when it is malformed. */
  private applyGrantRevoked(data: Partial<GrantRevokedData>): { grantId: string; clientId: string; revokedAt: number; keepUntil: number } | null {
    const { grant_id: grantId, client_id: clientId, revoked_at: revokedAt } = data;
    const wellFormed =
      typeof grantId === 'string' &&
      grantId !== '' &&
      grantId.length <= MAX_GRANT_ID_LENGTH &&
      typeof clientId === 'string' &&
      typeof revokedAt === 'number' &&
      Number.isFinite(revokedAt);
    if (!wellFormed) {
      this.logger.warn('ignored a malformed grant.revoked event');
      return null;
    }
    const keepUntil = revokedAt + GRANT_REVOCATION_KEEP_SECONDS;
    this.revokedGrants.add(grantId, revokedAt, keepUntil);
    return { grantId, clientId, revokedAt, keepUntil };
  }

  onModuleDestroy(): void {
    this.generation++;
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    if (this.timer) clearInterval(this.timer);
  }
}
