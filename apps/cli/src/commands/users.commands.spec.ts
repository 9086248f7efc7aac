import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newPassword } from './users.commands.js';

describe('users: the new password', () => {
  const files: Record<string, string> = { '/run/pw': 'from-the-file-123\n', '/run/env-pw': 'from-the-env-file\n', '/run/empty': '\n' };
  const read = (path: string) => {
    if (!(path in files)) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
    return files[path]!;
  };

  it('reads --password-file, else SMART_AUTH_USER_PASSWORD_FILE, dropping one trailing newline', () => {
    assert.deepEqual(newPassword({ 'password-file': '/run/pw' }, { SMART_AUTH_USER_PASSWORD_FILE: '/run/env-pw' }, read), { password: 'from-the-file-123', generated: false });
    assert.deepEqual(newPassword({}, { SMART_AUTH_USER_PASSWORD_FILE: '/run/env-pw' }, read), { password: 'from-the-env-file', generated: false });
  });

  it('generates a random one (24 characters, 144 bits) when no file is named', () => {
    const a = newPassword({}, {}, read);
    const b = newPassword({}, {}, read);
    assert.equal(a.generated, true);
    assert.match(a.password, /^[A-Za-z0-9_-]{24}$/);
    assert.notEqual(a.password, b.password);
  });

  it('refuses a file that cannot be read or is empty, naming where it came from', () => {
    assert.throws(() => newPassword({ 'password-file': '/run/missing' }, {}, read), /--password-file \/run\/missing cannot be read: ENOENT/);
    assert.throws(() => newPassword({}, { SMART_AUTH_USER_PASSWORD_FILE: '/run/empty' }, read), /SMART_AUTH_USER_PASSWORD_FILE \/run\/empty is empty/);
  });
});
