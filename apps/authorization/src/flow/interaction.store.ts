import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { generateOpaqueToken, secretMatchesHash, sha256Hex } from '#oauth';
import { AuthorizationConfig } from '../config/authorization.config.js';
import { InteractionEntity } from '../persistence/entities/interaction.entity.js';
import type { ResolvedLaunch } from '../launch/launch-binding.js';
import type { AuthorizationRequest } from './authorization-request.js';

export const INTERACTION_COOKIE = 'smart_interaction';

/** Authorization requests in progress, each bound to the browser that started it by a cookie secret. */
@Injectable()
export class InteractionStore {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AuthorizationConfig,
  ) {}

  private get repo() {
    return this.dataSource.getRepository(InteractionEntity);
  }

  async start(request: AuthorizationRequest, launch: ResolvedLaunch | null): Promise<{ interaction: InteractionEntity; binding: string }> {
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
      completedAt: null,
    };
    await this.repo.insert(interaction as never);
    return { interaction, binding };
  }

  /** The live interaction `id` if `binding` (the browser's cookie) belongs to it; otherwise null. */
  async find(id: string, binding: string | undefined): Promise<InteractionEntity | null> {
    if (!/^[A-Za-z0-9_-]{16,64}$/.test(id) || !binding) return null;
    const interaction = await this.repo.findOneBy({ id });
    if (!interaction || interaction.completedAt || interaction.expiresAt.getTime() <= Date.now()) return null;
    return secretMatchesHash(binding, interaction.bindingHash) ? interaction : null;
  }

  /** The live interaction waiting for the upstream login whose `state` hashes to `stateHash`, or null. */
  async findByUpstreamState(stateHash: string): Promise<InteractionEntity | null> {
    const interaction = await this.repo.findOneBy({ upstreamStateHash: stateHash });
    if (!interaction || interaction.completedAt || interaction.expiresAt.getTime() <= Date.now()) return null;
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

  async attachUser(id: string, userId: string, sessionHash: string, authTime: Date): Promise<void> {
    await this.repo.update({ id }, { userId, sessionHash, authTime });
  }

  async choosePatient(id: string, patient: string): Promise<void> {
    await this.repo.update({ id }, { patient });
  }

  /** Marks it done exactly once; false when another request completed it first. */
  async complete(id: string): Promise<boolean> {
    const result = await this.repo.createQueryBuilder().update(InteractionEntity).set({ completedAt: () => 'now()' } as never).where('id = :id AND completed_at IS NULL', { id }).execute();
    return (result.affected ?? 0) === 1;
  }

  async purgeExpired(): Promise<void> {
    await this.dataSource.query(`DELETE FROM interaction WHERE expires_at < now() - interval '1 hour'`);
  }
}
