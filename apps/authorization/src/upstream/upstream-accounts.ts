import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { UserEntity } from '../persistence/entities/user.entity.js';
import { UserStore } from '../users/user.store.js';
import { localFhirReference } from './upstream-claims.js';
import { UpstreamProvider } from './upstream-provider.js';

/** Finds the local user an upstream identity stands for (UPSTREAM_OIDC_USER_CLAIM matched per UPSTREAM_OIDC_MATCH). */
@Injectable()
export class UpstreamAccounts {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UserStore,
    private readonly upstream: UpstreamProvider,
  ) {}

  /** The local user for the claim's value; null when none, or (fhirUser) when several share it. */
  async find(claimValue: string): Promise<UserEntity | null> {
    if (this.upstream.match === 'username') return claimValue.length <= 128 ? this.users.byUsername(claimValue) : null;
    const reference = localFhirReference(claimValue);
    if (!reference) return null;
    // fhirUser is not unique locally: an ambiguous match signs nobody in.
    const matches = await this.dataSource.getRepository(UserEntity).find({ where: { fhirUser: reference }, take: 2 });
    return matches.length === 1 ? matches[0]! : null;
  }
}
