import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { COMMANDS, runCli } from './cli.js';

/** Runs the CLI with captured output; only paths that stop before any network call are used here. */
async function run(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { env, stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}

describe('command line dispatch', () => {
  it('every command has a summary and unique words', () => {
    const names = COMMANDS.map((c) => `${c.group} ${c.name}`);
    assert.equal(new Set(names).size, names.length);
    for (const c of COMMANDS) assert.ok(c.summary.length > 10, `${c.group} ${c.name}`);
  });

  const usage: Array<[string, string[], RegExp]> = [
    ['nothing', [], /no command given/],
    ['an unknown group', ['nope'], /unknown command "nope"/],
    ['an unknown command', ['keys', 'nope'], /unknown command "keys nope"/],
    ['a missing argument', ['grants', 'revoke'], /missing <grant_id>/],
    ['too many arguments', ['clients', 'get', 'a', 'b'], /unexpected argument "b"/],
    ['an unknown flag', ['audit', 'verify', '--since', 'x'], /^smart-auth: Unknown option '--since'\n/],
    ['a boolean given a value', ['audit', 'verify', '--json=yes'], /--json/],
    ['a flag of another command', ['keys', 'list', '--alg', 'ES256'], /Unknown option '--alg'/],
    ['a bad issuer', ['keys', 'list', '--issuer', 'nope'], /--issuer must be a URL/],
    ['no admin credentials', ['clients', 'list'], /needs the admin client/],
    ['no admin credentials for users', ['users', 'list'], /needs the admin client/],
    ['a user command without its argument', ['users', 'reset-password'], /missing <user_id>/],
    ['token revoke without credentials: the token\'s own client, not the admin', ['token', 'revoke', 'tok'], /needs the credentials of the client the token was issued to \(RFC 7009 §2\.1\)/],
  ];
  for (const [name, argv, message] of usage) {
    it(`exit 2 for ${name}`, async () => {
      const result = await run(argv);
      assert.equal(result.code, 2);
      assert.match(result.stderr, message);
      assert.equal(result.stdout, '');
    });
  }

  it('--version prints the version from package.json, before any command or after one', async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    for (const argv of [['--version'], ['users', 'list', '--version']]) {
      const result = await run(argv);
      assert.equal(result.code, 0, argv.join(' '));
      assert.equal(result.stdout, `smart-auth ${version}\n`);
    }
    assert.deepEqual(JSON.parse((await run(['--version', '--json'])).stdout), { version });
    assert.match((await run(['--help'])).stdout, /--version +print the suite's version and exit/);
  });

  it('takes global flags before and after the command words', async () => {
    const result = await run(['--issuer', 'nope', 'keys', 'list']);
    assert.match(result.stderr, /--issuer must be a URL, got "nope"/);
    assert.match((await run(['keys', '--issuer=nope', 'list'])).stderr, /got "nope"/);
  });

  it('help goes to stdout with exit 0, at every level', async () => {
    for (const argv of [['--help'], ['-h'], ['clients', '--help'], ['clients', 'create', '--help'], ['--help', 'perform', 'authorization-code']]) {
      const result = await run(argv);
      assert.equal(result.code, 0, argv.join(' '));
      assert.match(result.stdout, /^Usage: smart-auth/);
      assert.equal(result.stderr, '');
    }
  });
});
