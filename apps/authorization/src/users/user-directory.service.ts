import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InvalidRequest } from '#oauth';
import { AuthorizationConfig } from '../config/authorization.config.js';
import type { UserEntity } from '../persistence/entities/user.entity.js';
import { DEMO_USERS } from './demo-data.js';
import { decoyHash, hashPassword, verifyPassword } from './password-hasher.js';
import type { CreateUserDto, UpdateUserDto } from './user.dto.js';
import { UserStore } from './user.store.js';
import { SessionService } from './session.service.js';

export type LoginOutcome = { ok: true; user: UserEntity } | { ok: false; reason: 'invalid_credentials' | 'disabled'; user?: UserEntity };

/** The built-in user directory: accounts, password checks, and the demo people of development mode. */
@Injectable()
export class UserDirectory implements OnApplicationBootstrap {
  private readonly logger = new Logger('UserDirectory');

  constructor(
    private readonly users: UserStore,
    private readonly sessions: SessionService,
    private readonly config: AuthorizationConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.SEED_DEMO_DATA !== 'true') return;
    for (const demo of DEMO_USERS) {
      if (await this.users.byUsername(demo.username)) continue;
      await this.create({ username: demo.username, password: demo.password, display_name: demo.displayName, fhirUser: demo.fhirUser, patients: demo.patients, admin: demo.admin ?? false });
      this.logger.log(`demo user ${demo.username} created`);
    }
  }

  /** Checks a username and password; always spends one scrypt so misses and hits take as long. */
  async authenticate(username: string, password: string): Promise<LoginOutcome> {
    const user = username.length <= 128 ? await this.users.byUsername(username) : null;
    const matches = await verifyPassword(password.slice(0, 256), user?.passwordHash ?? (await decoyHash()));
    if (!user || !matches) return { ok: false, reason: 'invalid_credentials' };
    if (user.disabled) return { ok: false, reason: 'disabled', user };
    return { ok: true, user };
  }

  byId(id: string): Promise<UserEntity | null> {
    return this.users.byId(id);
  }

  list(limit: number, offset: number): Promise<UserEntity[]> {
    return this.users.list(limit, offset);
  }

  async create(input: CreateUserDto): Promise<UserEntity> {
    const now = new Date();
    const user: UserEntity = {
      id: randomUUID(),
      username: input.username.toLowerCase(),
      passwordHash: await hashPassword(input.password),
      displayName: input.display_name,
      fhirUser: input.fhirUser ?? null,
      patients: (input.patients ?? []).map((p) => ({ id: p.id, name: p.name, ...(p.birthDate ? { birthDate: p.birthDate } : {}) })),
      disabled: input.disabled ?? false,
      admin: input.admin ?? false,
      createdAt: now,
      updatedAt: now,
    };
    if (!(await this.users.insert(user))) throw new InvalidRequest('that username is taken');
    return user;
  }

  /** Applies an update; disabling an account also ends its login sessions. null when there is no such user. */
  async update(id: string, input: UpdateUserDto): Promise<UserEntity | null> {
    const user = await this.users.byId(id);
    if (!user) return null;
    if (input.password !== undefined) user.passwordHash = await hashPassword(input.password);
    if (input.display_name !== undefined) user.displayName = input.display_name;
    if (input.fhirUser !== undefined) user.fhirUser = input.fhirUser;
    if (input.patients !== undefined) user.patients = input.patients.map((p) => ({ id: p.id, name: p.name, ...(p.birthDate ? { birthDate: p.birthDate } : {}) }));
    if (input.disabled !== undefined) user.disabled = input.disabled;
    if (input.admin !== undefined) user.admin = input.admin;
    await this.users.save(user);
    if (user.disabled) await this.sessions.endAllOf(user.id);
    return user;
  }
}
