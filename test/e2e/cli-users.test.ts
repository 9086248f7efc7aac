// smart-auth users … and --version, run as the operator runs them (the built bin as a child process)
// against the suite; each password is checked by signing in through the login form.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sharedSuite, type RunningSuite } from '#testing';
import { CookieJar, startAuthorization, submitLogin } from './support/form-flow.js';
import { register, type RegisteredClient } from './support/http.js';

const BIN = resolve('dist/apps/cli/main.js');

type Finished = { code: number | null; stdout: string; stderr: string };

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<Finished> {
  const child = spawn(BIN, args, { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((done) => child.on('close', (code) => done({ code, stdout, stderr })));
}

describe('smart-auth users and --version, against the suite', () => {
  let suite: RunningSuite & { owned: boolean };
  let adminEnv: NodeJS.ProcessEnv;
  let app: RegisteredClient;
  let tmp: string;
  const json = (run: Finished): Record<string, unknown> => {
    assert.equal(run.code, 0, `exit 0 expected: ${run.stderr}${run.stdout}`);
    return JSON.parse(run.stdout) as Record<string, unknown>;
  };
  /** The status of a password sign-in: 303 onwards when the password is right. */
  const signInStatus = async (username: string, password: string) => {
    const jar = new CookieJar();
    const started = await startAuthorization(suite, jar, { client_id: app.client_id, redirect_uri: 'http://127.0.0.1/callback', scope: 'openid fhirUser launch/patient patient/*.rs' });
    assert.ok(started.interaction, started.reply.text.slice(0, 200));
    return (await submitLogin(suite, jar, started.interaction, username, password)).status;
  };

  before(async () => {
    suite = await sharedSuite();
    adminEnv = { SMART_AUTH_ISSUER: suite.issuer, SMART_AUTH_CLIENT_ID: suite.adminClientId, SMART_AUTH_CLIENT_SECRET: suite.adminClientSecret };
    tmp = mkdtempSync(join(tmpdir(), 'smart-auth-cli-users-'));
    app = await register(suite, {
      client_name: 'CLI Users App',
      application_type: 'native',
      redirect_uris: ['http://127.0.0.1/callback'],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
      scope: 'openid fhirUser launch/patient patient/*.rs',
    });
  });
  after(async () => {
    rmSync(tmp, { recursive: true, force: true });
    if (suite?.owned) await suite.stop();
  });

  it('--version prints package.json\'s version, as text and as JSON, with no credentials', async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    const text = await cli(['--version'], {});
    assert.equal(text.code, 0);
    assert.equal(text.stdout, `smart-auth ${version}\n`);
    assert.deepEqual(json(await cli(['--version', '--json'], {})), { version });
  });

  it('create with a password file, list, reset the password (generated, shown once), disable', async () => {
    const username = `cli-${randomBytes(4).toString('hex')}`;
    const passwordFile = join(tmp, 'password');
    writeFileSync(passwordFile, 'first-password-of-cli\n');
    const created = json(await cli(['users', 'create', username, '--name', 'Cli Person', '--fhir-user', 'Patient/pt-cli-users', '--password-file', passwordFile, '--json'], adminEnv));
    assert.equal(created.username, username);
    assert.equal(created.display_name, 'Cli Person');
    assert.equal(created.fhirUser, 'Patient/pt-cli-users');
    assert.equal(created.password, undefined, 'a password the operator gave is not echoed');
    assert.equal(await signInStatus(username, 'first-password-of-cli'), 303, 'the file\'s password, without its trailing newline');
    const id = created.id as string;

    const listed = await cli(['users', 'list', '--limit', '1000'], adminEnv);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^USER ID\s+USERNAME\s+NAME\s+FHIR USER\s+ADMIN\s+DISABLED\s+CREATED$/m);
    assert.match(listed.stdout, new RegExp(`^${id}\\s+${username}\\s+Cli Person\\s+Patient/pt-cli-users\\s+false\\s+false\\s`, 'm'));

    const reset = await cli(['users', 'reset-password', id], adminEnv);
    assert.equal(reset.code, 0, reset.stderr);
    const generated = /^password\s+(\S+)$/m.exec(reset.stdout)?.[1];
    assert.ok(generated && generated.length >= 20, reset.stdout);
    assert.match(reset.stdout, /not shown again/);
    assert.notEqual(await signInStatus(username, 'first-password-of-cli'), 303, 'the old password no longer works');
    assert.equal(await signInStatus(username, generated), 303, 'the generated password works');

    const disabled = json(await cli(['users', 'disable', id, '--json'], adminEnv));
    assert.equal(disabled.disabled, true);
    assert.notEqual(await signInStatus(username, generated), 303, 'a disabled person cannot sign in');
  });

  it('the server\'s refusals are the OAuth errors with exit 1; a missing admin is a usage error', async () => {
    const duplicate = `dup-${randomBytes(4).toString('hex')}`;
    assert.equal((await cli(['users', 'create', duplicate], adminEnv)).code, 0);
    const again = await cli(['users', 'create', duplicate], adminEnv);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^smart-auth: \w+: .*\(HTTP 4\d\d\)$/m);
    const unknown = await cli(['users', 'disable', 'no-such-user-id'], adminEnv);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /not_found: no such user \(HTTP 404\)/);
    const anonymous = await cli(['users', 'list'], { SMART_AUTH_ISSUER: suite.issuer });
    assert.equal(anonymous.code, 2);
    assert.match(anonymous.stderr, /needs the admin client/);
  });
});
