import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, Repository } from 'typeorm';
import { UserEntity } from '../persistence/entities/user.entity.js';

type Values = Parameters<Repository<UserEntity>['insert']>[0];
const UNIQUE_VIOLATION = '23505';

/** The `app_user` table. */
@Injectable()
export class UserStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private get repo(): Repository<UserEntity> {
    return this.dataSource.getRepository(UserEntity);
  }

  byId(id: string): Promise<UserEntity | null> {
    return this.repo.findOneBy({ id });
  }

  byUsername(username: string): Promise<UserEntity | null> {
    return this.repo.findOneBy({ username: username.toLowerCase() });
  }

  list(limit: number, offset: number): Promise<UserEntity[]> {
    return this.repo.find({ order: { username: 'ASC' }, take: limit, skip: offset });
  }

  /** false when the username is taken. */
  async insert(user: UserEntity): Promise<boolean> {
    try {
      await this.repo.insert(user as unknown as Values);
      return true;
    } catch (err: unknown) {
      const e = err as { code?: unknown; driverError?: { code?: unknown } };
      if ((e.driverError?.code ?? e.code) === UNIQUE_VIOLATION) return false;
      throw err;
    }
  }

  async save(user: UserEntity): Promise<void> {
    user.updatedAt = new Date();
    await this.repo.save(user);
  }
}
