import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { ExpiringRows } from '#nest';
import { generateOpaqueToken, secretMatchesHash, sha256Hex } from '#oauth';
import { AuthorizationConfig } from '../config/authorization.config.js';
import { InteractionEntity } from '../persistence/entities/interaction.entity.js';
import type { ResolvedLaunch } from '../launch/launch-binding.js';
import type { AuthorizationRequest } from './authorization-request.js';
import { isFinal, nextState, TRANSITIONS, type InteractionTransition } from './interaction-state.js';

export const INTERACTION_COOKIE = 'smart_interaction';

/**
 * The row's state as a transition sees it. A replica of the release before `state` signs people in without moving
 * it, so while such replicas may still run, a `started` row with a user counts as `authenticated`.
 */
const CURRENT_STATE = `(CASE WHEN state = 'started' AND user_id IS NOT NULL THEN 'authenticated' ELSE state END)`;

/** Not over (a replica from before `state` marks only `completed_at`) and not expired. */
function isLive(interaction: InteractionEntity): boolean {
  return !isFinal(interaction.state) && !interaction.completedAt && interaction.expiresAt.getTime() > Date.now();
}

/**
 * Authorization requests in progress, each bound to the browser that started it by a cookie secret.
 *
 * An interaction may be started unsaved ({@link start} with `unsaved`): /authorize tries to end it at once
 * (a live session whose consent covers the request), and one that ends there never needs a row (issue #20:
 * three statements fewer per silent sign-in). Its transitions follow the same rules in memory, for the one
 * request that holds it; it is {@link save}d with its state if it goes on to a page, else {@link forget}ten.
 */
@Injectable()
export class InteractionStore {
  private readonly unsaved = new Map<string, InteractionEntity>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AuthorizationConfig,
  ) {}

  private get repo() {
    return this.dataSource.getRepository(InteractionEntity);
  }

  async start(request: AuthorizationRequest, launch: ResolvedLaunch | null, options: { unsaved?: boolean } = {}): Promise<{ interaction: InteractionEntity; binding: string }> {
    const binding = generateOpaqueToken();
    const interaction: InteractionEntity = {
      id: generateOpaqueToken(24),
      bindingHash: sha256Hex(binding),
      csrf: generateOpaqueToken(24),
      clientId: request.clientId,
      request,
      userId: null,
      sessionHash: null,
      authTime: null,
      patient: null,
      launch: launch?.context ?? null,
      launchBinding: launch?.binding ?? null,
      launchedBy: launch?.launchedBy ?? null,
      upstreamStateHash: null,
      upstreamCodeVerifier: null,
      upstreamNonce: null,
      expiresAt: new Date(Date.now() + this.config.INTERACTION_TTL_SECONDS * 1000),
      state: 'started',
      completedAt: null,
    };
    if (options.unsaved) this.unsaved.set(interaction.id, interaction);
    else await this.repo.insert(interaction as never);
    return { interaction, binding };
  }

  /** Stores an interaction started unsaved, in the state it reached, so its pages find it. */
  async save(interaction: InteractionEntity): Promise<void> {
    if (!this.unsaved.has(interaction.id)) return;
    await this.repo.insert(interaction as never);
    this.unsaved.delete(interaction.id);
  }

  /** Lets go of an interaction started unsaved (it ended at once, or its request failed). */
  forget(interaction: InteractionEntity): void {
    this.unsaved.delete(interaction.id);
  }

  /** The live interaction `id` if `binding` (the browser's cookie) belongs to it; otherwise null. */
  async find(id: string, binding: string | undefined): Promise<InteractionEntity | null> {
    if (!/^[A-Za-z0-9_-]{16,64}$/.test(id) || !binding) return null;
    const interaction = await this.repo.findOneBy({ id });
    if (!interaction || !isLive(interaction)) return null;
    return secretMatchesHash(binding, interaction.bindingHash) ? interaction : null;
  }

  /** The live interaction waiting for the upstream login whose `state` hashes to `stateHash`, or null. */
  async findByUpstreamState(stateHash: string): Promise<InteractionEntity | null> {
    const interaction = await this.repo.findOneBy({ upstreamStateHash: stateHash });
    if (!interaction || !isLive(interaction)) return null;
    return interaction;
  }

  /** Records a new upstream login for `id`; a previous one (same interaction) stops being accepted. */
  async beginUpstreamLogin(id: string, stateHash: string, codeVerifier: string, nonce: string): Promise<void> {
    await this.repo.update({ id }, { upstreamStateHash: stateHash, upstreamCodeVerifier: codeVerifier, upstreamNonce: nonce });
  }

  /** Consumes the pending upstream login of `id` exactly once; false when its state was already used or replaced. */
  async endUpstreamLogin(id: string, stateHash: string): Promise<boolean> {
    const result = await this.repo
      .createQueryBuilder()
      .update(InteractionEntity)
      .set({ upstreamStateHash: null, upstreamCodeVerifier: null, upstreamNonce: null })
      .where('id = :id AND upstream_state_hash = :stateHash', { id, stateHash })
      .execute();
    return (result.affected ?? 0) === 1;
  }

  /** `signIn`: `userId` signed in (session `sessionHash`, authenticated at `authTime`); false when it was over. */
  async signIn(id: string, userId: string, sessionHash: string, authTime: Date): Promise<boolean> {
    return this.transition(id, 'signIn', { userId, sessionHash, authTime });
  }

  /** `choosePatient`: the patient in context; false unless someone is signed in and it is not over. */
  async choosePatient(id: string, patient: string): Promise<boolean> {
    return this.transition(id, 'choosePatient', { patient });
  }

  /** `complete`: the code goes back; exactly once, false when another request ended it first. */
  async complete(id: string): Promise<boolean> {
    return this.transition(id, 'complete', {});
  }

  /** `fail`: an error goes back; false when it was already over. */
  async fail(id: string): Promise<boolean> {
    return this.transition(id, 'fail', {});
  }

  /**
   * Applies `transition` to `id` only from a state it may start from (and while no replica of the release before
   * `state` ended it: `completed_at` is null); false when the row is in no such state.
   */
  private async transition(id: string, transition: InteractionTransition, changes: Partial<Pick<InteractionEntity, 'userId' | 'sessionHash' | 'authTime' | 'patient'>>): Promise<boolean> {
    const { from, to } = TRANSITIONS[transition];
    const ends = to === 'completed' || to === 'failed';
    const pending = this.unsaved.get(id);
    if (pending) {
      // The same rule as the statement below, on the one copy there is.
      const current = pending.state === 'started' && pending.userId !== null ? 'authenticated' : pending.state;
      if (nextState(current, transition) === null || pending.completedAt !== null) return false;
      Object.assign(pending, changes, { state: to }, ends ? { completedAt: new Date() } : {});
      return true;
    }
    const result = await this.repo
      .createQueryBuilder()
      .update(InteractionEntity)
      .set({ ...changes, state: to, ...(ends ? { completedAt: () => 'now()' } : {}) } as never)
      .where(`id = :id AND ${CURRENT_STATE} IN (:...from) AND completed_at IS NULL`, { id, from })
      .execute();
    return (result.affected ?? 0) === 1;
  }

  /** For the janitor: an interaction is kept an hour past its expiry, so a late form post still finds it and says it expired. */
  expiredRows(): ExpiringRows {
    return { table: 'interaction', key: 'id', pastHorizon: `expires_at < now() - interval '1 hour'` };
  }
}
