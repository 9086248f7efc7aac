import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CommonConfig, DatabaseConfig } from './common.config.js';
import { KeyEncryption } from '#oauth';
import { IsKeyEncryptionKey } from './is-key-encryption-key.js';
import { ConfigurationError, loadConfig } from './load-config.js';

class KeyedConfig extends CommonConfig {
  @IsKeyEncryptionKey()
  KEY_ENCRYPTION_KEY: string;
}

describe('loadConfig', () => {
  it('applies defaults and reads only the settings the class declares', () => {
    const config = loadConfig(CommonConfig, { UNRELATED_FILE: '/does/not/exist', ISSUER: 'https://auth.example' });
    assert.equal(config.ISSUER, 'https://auth.example');
    assert.equal(config.SUBJECT_PREFIX, 'smart');
  });

  it('converts numbers', () => assert.equal(loadConfig(DatabaseConfig, { DATABASE_POOL_SIZE: '7' }).DATABASE_POOL_SIZE, 7));

  it('reads *_FILE variants', () => {
    const config = loadConfig(CommonConfig, { DATABASE_URL_FILE: '/run/secrets/db' }, () => 'postgres://u@db/x\n');
    assert.equal(config.DATABASE_URL, 'postgres://u@db/x');
  });

  it('names every wrong setting in one error', () => {
    assert.throws(
      () => loadConfig(DatabaseConfig, { ISSUER: 'not a url', DATABASE_POOL_SIZE: 'many', NATS_URL: 'http://x', DATABASE_URL_FILE: '/missing' }, () => { throw new Error('ENOENT'); }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigurationError);
        assert.equal(err.problems.length, 1); // unreadable files are reported first, on their own
        return true;
      },
    );
    assert.throws(
      () => loadConfig(DatabaseConfig, { ISSUER: 'not a url', DATABASE_POOL_SIZE: 'many', NATS_URL: 'http://x' }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigurationError);
        const text = err.problems.join('\n');
        for (const name of ['ISSUER', 'DATABASE_POOL_SIZE', 'NATS_URL']) assert.match(text, new RegExp(name));
        return true;
      },
    );
  });

  it('checks a key-encryption key ring with the other settings', () => {
    const ring = `${KeyEncryption.generateSetting()},${KeyEncryption.generateSetting()}`;
    assert.equal(loadConfig(KeyedConfig, { KEY_ENCRYPTION_KEY: ring }).KEY_ENCRYPTION_KEY, ring);
    for (const env of [{}, { KEY_ENCRYPTION_KEY: 'short' }, { KEY_ENCRYPTION_KEY: Buffer.alloc(16).toString('base64') }]) {
      assert.throws(() => loadConfig(KeyedConfig, env), (err: unknown) => err instanceof ConfigurationError && /KEY_ENCRYPTION_KEY/.test(err.message));
    }
  });
});
