import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { InProcessEventBus, loadConfig, Outbox } from '#nest';
import { AuthorizationConfig } from '../config/authorization.config.js';
import { EventRecorder } from '../grants/event-recorder.js';
import { scratchAuthorizationDatabase } from '../persistence/authorization-database.fixtures.js';
import { UserEntity } from '../persistence/entities/user.entity.js';
import { LoginThrottle } from './login-throttle.js';
import { hashPassword } from './password-hasher.js';
import { PasswordLogin } from './password-login.service.js';
import { SessionService } from './session.service.js';
import { UserDirectory } from './user-directory.service.js';
import { UserStore } from './user.store.js';

const ADDRESS = '203.0.113.7';

/** A user store whose next reads fail as a read on a connection `pg_terminate_backend` killed does. */
class FailingUserStore extends UserStore {
  failures = 0;

  override byUsername(username: string): Promise<UserEntity | null> {
    if (this.failures > 0) {
      this.failures--;
      return Promise.reject(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }));
    }
    return super.byUsername(username);
  }
}

/** The failed-login count against a real PostgreSQL: a wrong password counts, an outage in the middle of a login does not. */
Logger.overrideLogger(false);
describe('password login: the throttle counts people, not outages (PostgreSQL)', { skip: !process.env.DATABASE_URL && 'needs DATABASE_URL' }, () => {
  let dataSource: DataSource;
  let dropDatabase: () => Promise<void>;
  let store: FailingUserStore;
  let login: PasswordLogin;
  const failures = async (key: string): Promise<number> => {
    const rows = (await dataSource.query(`SELECT failures FROM login_throttle WHERE key = $1`, [key])) as Array<{ failures: number }>;
    return rows[0]?.failures ?? 0;
  };

  before(async () => {
    ({ dataSource, drop: dropDatabase } = await scratchAuthorizationDatabase('login'));
    const config = loadConfig(AuthorizationConfig, { DATABASE_URL: 'postgres://unused/db', FHIR_BASE_URL: 'https://fhir.example/r4', LOG_LEVEL: 'error', LOGIN_MAX_FAILURES_PER_USER: '3' });
    store = new FailingUserStore(dataSource);
    const sessions = new SessionService(dataSource, config);
    const events = new EventRecorder(new Outbox(dataSource, new InProcessEventBus(), 'authorization'));
    login = new PasswordLogin(new UserDirectory(store, sessions, config), new LoginThrottle(dataSource, config), sessions, events);
    await dataSource.getRepository(UserEntity).insert({ id: 'u1', username: 'dana', passwordHash: await hashPassword('right horse battery'), displayName: 'Dana', fhirUser: 'Patient/p1', patients: [], disabled: false, admin: false });
  });
  beforeEach(async () => {
    store.failures = 0;
    await dataSource.query(`DELETE FROM login_throttle`);
  });
  after(async () => {
    await dropDatabase?.();
  });

  const attempt = (password: string) => login.attempt({ username: 'dana', password, remoteAddress: ADDRESS });

  it('counts a wrong password against the username and the address, and a success clears the username', async () => {
    assert.equal((await attempt('wrong')).ok, false);
    assert.equal((await attempt('wrong')).ok, false);
    assert.equal(await failures('user:dana'), 2);
    assert.equal(await failures(`addr:${ADDRESS}`), 2);
    assert.equal((await attempt('right horse battery')).ok, true);
    assert.equal(await failures('user:dana'), 0);
    assert.equal(await failures(`addr:${ADDRESS}`), 2, 'the address keeps its earlier failures');
  });

  it('locks the username after the configured number of wrong passwords, even for the right one', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await attempt('wrong')).ok, false);
    const locked = await attempt('right horse battery');
    assert.deepEqual(locked.ok ? 'signed in' : locked.reason, 'throttled');
  });

  it('gives back the count of an attempt the database failed, so retries after 503s never lock the person out', async () => {
    for (let i = 0; i < 5; i++) {
      store.failures = 1;
      await assert.rejects(attempt('right horse battery'), /terminating connection/);
    }
    assert.equal(await failures('user:dana'), 0);
    assert.equal(await failures(`addr:${ADDRESS}`), 0);
    assert.equal((await attempt('right horse battery')).ok, true, 'five outages later, the right password still signs in');
  });

  it('keeps a wrong password counted beside an attempt the database failed', async () => {
    assert.equal((await attempt('wrong')).ok, false);
    store.failures = 1;
    await assert.rejects(attempt('wrong'), /terminating connection/);
    assert.equal(await failures('user:dana'), 1, 'only the judged attempt counts');
  });
});
