import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { exportJWK } from 'jose';
import type { Browser } from 'playwright-core';
import { sharedSuite, type RunningSuite } from '#testing';
import { allow, browserUnavailable, launchBrowser, newContext, signIn } from './support/browser.js';
import { clientKey } from './support/client-keys.js';
import { browse, completeInteraction, CookieJar } from './support/form-flow.js';
import { basicAuth, introspect, machineClient, register, tokenFor, type RegisteredClient } from './support/http.js';
import { adminToken, createUser, type TestUser } from './support/people.js';

/** The built bin of package.json (`smart-auth`), run as an operator would: the file itself, through its shebang. */
const BIN = resolve('dist/apps/cli/main.js');

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Started {
  child: ChildProcess;
  /** Resolves with the first stderr line that matches. */
  line(pattern: RegExp): Promise<string>;
  done: Promise<Finished>;
}

function start(args: string[], env: NodeJS.ProcessEnv): Started {
  const child = spawn(BIN, args, { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiting: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const w of [...waiting]) {
      const hit = stderr.split('\n').find((l) => w.pattern.test(l));
      if (hit) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(hit);
      }
    }
  });
  const done = new Promise<Finished>((resolveDone) => child.on('close', (code) => resolveDone({ code, stdout, stderr })));
  return {
    child,
    line: (pattern) =>
      new Promise<string>((resolveLine, reject) => {
        const hit = stderr.split('\n').find((l) => pattern.test(l));
        if (hit) return resolveLine(hit);
        waiting.push({ pattern, resolve: resolveLine });
        void done.then((f) => reject(new Error(`the cli exited (${f.code}) before printing ${pattern}: ${f.stderr}${f.stdout}`)));
      }),
    done,
  };
}

/** Asserts nothing a person should not see: no stack trace, no "undefined". */
function assertClean(run: Finished): void {
  assert.doesNotMatch(run.stderr, /\n\s+at .+:\d+:\d+/, `no stack trace: ${run.stderr}`);
  assert.doesNotMatch(run.stderr + run.stdout, /\bundefined\b|\[object Object\]/, `${run.stderr}${run.stdout}`);
}

describe('smart-auth, the operator CLI, run as a child process against the suite', () => {
  let suite: RunningSuite & { owned: boolean };
  let admin: string;
  let adminEnv: NodeJS.ProcessEnv;
  let tmp: string;
  let person: TestUser;
  let app: RegisteredClient;

  const cli = (args: string[], env: NodeJS.ProcessEnv = adminEnv) => start(args, env).done;
  const json = (run: Finished): Record<string, unknown> => {
    assert.equal(run.code, 0, `exit 0 expected: ${run.stderr}${run.stdout}`);
    return JSON.parse(run.stdout) as Record<string, unknown>;
  };
  const adminIntrospect = async (token: string) => (await introspect(suite, token, basicAuth(suite.adminClientId, suite.adminClientSecret))).json;

  before(async () => {
    suite = await sharedSuite();
    admin = await adminToken(suite);
    adminEnv = { SMART_AUTH_ISSUER: suite.issuer, SMART_AUTH_CLIENT_ID: suite.adminClientId, SMART_AUTH_CLIENT_SECRET: suite.adminClientSecret };
    tmp = mkdtempSync(join(tmpdir(), 'smart-auth-cli-'));
    person = await createUser(suite, admin, { fhirUser: 'Patient/pt-cli', display_name: 'Cleo Cli' });
    app = await register(suite, {
      client_name: 'CLI Launch App',
      application_type: 'native',
      redirect_uris: ['http://127.0.0.1/callback'],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid fhirUser launch/patient offline_access patient/*.rs',
    });
  });
  after(async () => {
    rmSync(tmp, { recursive: true, force: true });
    if (suite?.owned) await suite.stop();
  });

  describe('usage', () => {
    it('--help lists every command and exits 0; each command has its own help', async () => {
      const help = await cli(['--help']);
      assert.equal(help.code, 0);
      for (const command of ['clients create', 'clients list', 'clients get', 'clients delete', 'clients revoke-all', 'token introspect', 'token revoke', 'grants list', 'grants revoke', 'keys list', 'keys rotate', 'audit verify', 'audit list', 'perform client-credentials', 'perform authorization-code']) {
        assert.match(help.stdout, new RegExp(`\\n  ${command}\\b`), command);
        const own = await cli([...command.split(' '), '--help']);
        assert.equal(own.code, 0, command);
        assert.match(own.stdout, new RegExp(`^Usage: smart-auth ${command}`), command);
      }
      assert.match((await cli(['perform', 'authorization-code', '--help'])).stdout, /--no-browser/);
    });

    const usageErrors: Array<[string, string[], RegExp, NodeJS.ProcessEnv?]> = [
      ['no command', [], /no command given/],
      ['an unknown command', ['frobnicate'], /unknown command "frobnicate"/],
      ['an unknown subcommand', ['clients', 'frobnicate'], /unknown command "clients frobnicate"/],
      ['a group without subcommand', ['keys'], /"keys" needs a subcommand: list, rotate/],
      ['a missing argument', ['clients', 'get'], /missing <client_id>/],
      ['an extra argument', ['keys', 'list', 'extra'], /unexpected argument "extra"/],
      ['an unknown flag', ['clients', 'list', '--bogus'], /Unknown option '--bogus'/],
      ['a flag without its value', ['clients', 'list', '--limit'], /--limit/],
      ['an issuer that is not a URL', ['keys', 'list', '--issuer', 'not a url'], /--issuer must be a URL/],
      ['both secret flags', ['keys', 'list', '--client-secret', 'x', '--client-secret-file', '/nonexistent'], /not both/],
      ['a secret file that does not exist', ['keys', 'list', '--client-secret-file', '/nonexistent/secret'], /cannot be read: ENOENT/],
      ['an admin command without credentials', ['keys', 'list'], /needs the admin client/, {}],
      ['perform without a secret or key', ['perform', 'client-credentials', '--client-id', 'x'], /--client-secret|--private-key/, {}],
      ['clients create without metadata', ['clients', 'create'], /give the client metadata/],
      ['clients create with a file that is not JSON', ['clients', 'create', '--file', '/etc/hostname'], /--file is not JSON/],
      ['a port that is not a number', ['perform', 'authorization-code', '--client-id', 'x', '--port', 'http'], /--port must be a whole number/],
    ];
    for (const [what, args, message, env] of usageErrors) {
      it(`exit 2 for ${what}`, async () => {
        const run = await cli(args, env ? { SMART_AUTH_ISSUER: suite.issuer, ...env } : adminEnv);
        assert.equal(run.code, 2, `${run.stderr}${run.stdout}`);
        assert.match(run.stderr, message);
        assert.match(run.stderr, /--help' for usage/);
        assert.equal(run.stdout, '');
        assertClean(run);
      });
    }

    it('exit 1 with the OAuth error for a wrong admin secret, and for a suite that does not answer', async () => {
      const wrong = await cli(['keys', 'list'], { ...adminEnv, SMART_AUTH_CLIENT_SECRET: 'not-the-secret' });
      assert.equal(wrong.code, 1, wrong.stderr);
      assert.match(wrong.stderr, /^smart-auth: invalid_client: .+\(HTTP 401\)\n$/);
      assertClean(wrong);
      const wrongJson = await cli(['keys', 'list', '--json'], { ...adminEnv, SMART_AUTH_CLIENT_SECRET: 'not-the-secret' });
      assert.equal(wrongJson.code, 1);
      assert.equal((JSON.parse(wrongJson.stderr) as { error: string }).error, 'invalid_client');
      const machine = await machineClient(suite);
      const notAdmin = await cli(['clients', 'list'], { ...adminEnv, SMART_AUTH_CLIENT_ID: machine.client_id, SMART_AUTH_CLIENT_SECRET: machine.client_secret });
      assert.equal(notAdmin.code, 1);
      assert.match(notAdmin.stderr, /invalid_scope|insufficient_scope/);
      const down = await cli(['audit', 'verify'], { ...adminEnv, SMART_AUTH_ISSUER: 'http://127.0.0.1:9' });
      assert.equal(down.code, 1, down.stderr);
      assert.match(down.stderr, /unreachable: cannot reach http:\/\/127\.0\.0\.1:9/);
      assertClean(down);
    });

    it('reads the admin secret from --client-secret-file and SMART_AUTH_CLIENT_SECRET_FILE', async () => {
      const file = join(tmp, 'admin-secret');
      writeFileSync(file, `${suite.adminClientSecret}\n`, { mode: 0o600 });
      const env = { SMART_AUTH_ISSUER: suite.issuer, SMART_AUTH_CLIENT_ID: suite.adminClientId };
      assert.equal((await cli(['keys', 'list', '--client-secret-file', file], env)).code, 0);
      assert.equal((await cli(['keys', 'list'], { ...env, SMART_AUTH_CLIENT_SECRET_FILE: file })).code, 0);
      assert.equal((await cli(['keys', 'list', '--issuer', suite.issuer, '--client-id', suite.adminClientId, '--client-secret', suite.adminClientSecret], {})).code, 0, 'flags alone');
    });
  });

  describe('clients', () => {
    it('app directory: register as an administrator, list with filters, disable, enable and rotate-secret (issue #16)', async () => {
      const tag = randomUUID().slice(0, 8);
      const made = await cli(['clients', 'register', '--name', `CLI dir ${tag}`, '--grant-type', 'client_credentials', '--auth-method', 'client_secret_basic', '--scope', 'system/Patient.rs', '--json']);
      assert.equal(made.code, 0, made.stderr);
      const client = JSON.parse(made.stdout) as { client_id: string; client_secret: string };
      const listed = await cli(['clients', 'list', '--search', tag, '--trust', 'administrator', '--json']);
      assert.deepEqual((JSON.parse(listed.stdout) as { clients: Array<{ client_id: string }> }).clients.map((c) => c.client_id), [client.client_id]);
      const disabled = await cli(['clients', 'disable', client.client_id]);
      assert.equal(disabled.code, 0, disabled.stderr);
      assert.match(disabled.stdout, /disabled/);
      assert.equal(JSON.parse((await cli(['clients', 'list', '--search', tag, '--status', 'disabled', '--json'])).stdout).clients.length, 1);
      assert.equal((await cli(['clients', 'enable', client.client_id])).code, 0);
      const rotated = await cli(['clients', 'rotate-secret', client.client_id, '--json']);
      assert.equal(rotated.code, 0, rotated.stderr);
      assert.notEqual((JSON.parse(rotated.stdout) as { client_secret: string }).client_secret, client.client_secret);
      const unknown = await cli(['clients', 'disable', 'no-such-client']);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /not_found/);
    });

    it('create from flags prints the secret and registration access token once; list, get and delete through the admin API', async () => {
      const human = await cli(['clients', 'create', '--name', 'CLI Machine', '--grant-type', 'client_credentials', '--auth-method', 'client_secret_basic', '--scope', 'system/Patient.rs']);
      assert.equal(human.code, 0, human.stderr);
      const shown = Object.fromEntries(human.stdout.split('\n').filter(Boolean).map((l) => [l.split(/\s+/)[0], l.split(/\s+/).slice(1).join(' ')]));
      assert.ok(shown.client_id && shown.client_secret && shown.registration_access_token, human.stdout);
      assert.match(human.stdout, /not shown again/);
      // Trust tiers: registered anonymously, its system scope waits for an administrator; the CLI says how to approve.
      assert.match(human.stdout, /^privileges_pending\s+system\/Patient.rs$/m);
      assert.match(human.stdout, new RegExp(`smart-auth clients approve ${shown.client_id}`));
      const created = { client_id: shown.client_id, client_secret: shown.client_secret } as RegisteredClient;
      await assert.rejects(tokenFor(suite, created, 'system/Patient.rs'), /invalid_scope/);
      const pendingTable = await cli(['clients', 'pending', '--limit', '1000']);
      assert.equal(pendingTable.code, 0, pendingTable.stderr);
      assert.match(pendingTable.stdout, /^CLIENT ID\s+NAME\s+TRUST\s+PENDING PRIVILEGES\s+REGISTERED\n/);
      assert.match(pendingTable.stdout, new RegExp(`\\n${created.client_id}\\s+CLI Machine\\s+anonymous\\s+system/Patient.rs\\s`));
      const approved = await cli(['clients', 'approve', created.client_id]);
      assert.equal(approved.code, 0, approved.stderr);
      assert.match(approved.stdout, /^status\s+approved$/m);
      assert.match(approved.stdout, /^privileges_approved\s+system\/Patient.rs$/m);
      assert.ok(await tokenFor(suite, created, 'system/Patient.rs'), 'the printed secret works once approved');
      const notPending = await cli(['clients', 'reject', created.client_id, '--privileges', 'system/Patient.rs']);
      assert.equal(notPending.code, 1);
      assert.match(notPending.stderr, /invalid_request: 'system\/Patient.rs' is not a privilege awaiting approval/);

      const listed = json(await cli(['clients', 'list', '--json', '--limit', '1000']));
      const row = (listed.clients as Array<Record<string, unknown>>).find((c) => c.client_id === created.client_id);
      assert.equal(row?.client_name, 'CLI Machine');
      assert.doesNotMatch(JSON.stringify(listed), new RegExp(created.client_secret!));
      const table = await cli(['clients', 'list', '--limit', '1000']);
      assert.match(table.stdout, /^CLIENT ID\s+NAME\s+AUTH\s+GRANTS\s+MANAGED BY\s+STATUS\s+SCOPE\n/);
      assert.match(table.stdout, new RegExp(`\\n${created.client_id}\\s+CLI Machine\\s+client_secret_basic\\s+client_credentials\\s+-\\s+approved\\s+system/Patient.rs\\n`));
      assert.match(table.stdout, new RegExp(`\\n${suite.adminClientId}\\s+Administrator\\s+client_secret_basic\\s+client_credentials\\s+admin\\s+approved\\s+admin introspect\\n`));

      const got = json(await cli(['clients', 'get', created.client_id, '--json']));
      assert.equal(got.client_id, created.client_id);
      assert.equal(got.client_secret, undefined);
      assert.match((await cli(['clients', 'get', created.client_id])).stdout, /^client_name\s+CLI Machine$/m);

      const deleted = await cli(['clients', 'delete', created.client_id]);
      assert.equal(deleted.code, 0, deleted.stderr);
      assert.equal(deleted.stdout, `deleted client ${created.client_id}\n`);
      const gone = await cli(['clients', 'get', created.client_id]);
      assert.equal(gone.code, 1);
      assert.equal(gone.stderr, 'smart-auth: not_found: no such client (HTTP 404)\n');
      const managed = await cli(['clients', 'delete', suite.adminClientId]);
      assert.equal(managed.code, 1);
      assert.match(managed.stderr, /invalid_request: the client is managed by configuration/);
    });

    it('get and delete with the registration access token use RFC 7592, no admin credentials needed', async () => {
      const client = await machineClient(suite);
      const env = { SMART_AUTH_ISSUER: suite.issuer };
      const got = json(await cli(['clients', 'get', client.client_id, '--registration-access-token', client.registration_access_token, '--json'], env));
      assert.equal(got.registration_client_uri, client.registration_client_uri, 'the RFC 7592 read answer');
      const wrong = await cli(['clients', 'delete', client.client_id, '--registration-access-token', 'not-the-token'], env);
      assert.equal(wrong.code, 1);
      assert.match(wrong.stderr, /^smart-auth: invalid_token: unknown client or invalid registration access token \(HTTP 401\)\n$/);
      const deleted = await cli(['clients', 'delete', client.client_id], { ...env, SMART_AUTH_REGISTRATION_ACCESS_TOKEN: client.registration_access_token });
      assert.equal(deleted.code, 0, deleted.stderr);
      assert.equal((await cli(['clients', 'get', client.client_id])).code, 1, 'gone for the admin API too');
    });

    it('create from --file (flags override it); bad metadata is the registration error', async () => {
      const file = join(tmp, 'metadata.json');
      writeFileSync(file, JSON.stringify({ client_name: 'From File', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_post', scope: 'system/Observation.rs' }));
      const created = json(await cli(['clients', 'create', '--file', file, '--name', 'Flag Name', '--json']));
      assert.equal(created.client_name, 'Flag Name');
      assert.equal(created.token_endpoint_auth_method, 'client_secret_post');
      assert.equal(typeof created.client_secret, 'string');
      assert.equal(typeof created.registration_access_token, 'string');
      const bad = await cli(['clients', 'create', '--name', 'Bad', '--redirect-uri', 'http://example.com/cb']);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /^smart-auth: invalid_redirect_uri: .+\(HTTP 400\)\n$/);
      assertClean(bad);
    });
  });

  describe('tokens', () => {
    it('introspect: active with exit 0, inactive with exit 1; revoke with the owning client, refused for another', async () => {
      const machine = await machineClient(suite);
      const token = await tokenFor(suite, machine);
      const active = json(await cli(['token', 'introspect', token, '--json']));
      assert.equal(active.active, true);
      assert.equal(active.client_id, machine.client_id);
      assert.match((await cli(['token', 'introspect', token])).stdout, /^active\s+true$/m);
      const garbage = await cli(['token', 'introspect', 'garbage', '--json']);
      assert.equal(garbage.code, 1);
      assert.deepEqual(JSON.parse(garbage.stdout), { active: false });

      const foreign = await cli(['token', 'revoke', token]);
      assert.equal(foreign.code, 1, 'RFC 7009 §2.1: the admin client may not revoke another client’s token');
      assert.match(foreign.stderr, /unauthorized_client: the token was not issued to this client/);
      assert.equal((await adminIntrospect(token)).active, true);

      const own = await cli(['token', 'revoke', token], { SMART_AUTH_ISSUER: suite.issuer, SMART_AUTH_CLIENT_ID: machine.client_id, SMART_AUTH_CLIENT_SECRET: machine.client_secret });
      assert.equal(own.code, 0, own.stderr);
      assert.deepEqual(await adminIntrospect(token), { active: false });
      assert.equal((await cli(['token', 'introspect', token])).code, 1);
    });

    it('perform client-credentials: gets a token and introspects it (secret or private_key_jwt); the token is masked', async () => {
      const machine = await machineClient(suite);
      const env = { SMART_AUTH_ISSUER: suite.issuer, SMART_AUTH_CLIENT_ID: machine.client_id, SMART_AUTH_CLIENT_SECRET: machine.client_secret };
      const masked = json(await cli(['perform', 'client-credentials', '--scope', 'system/Patient.rs', '--json'], env));
      const token = masked.token as Record<string, unknown>;
      assert.match(token.access_token as string, /^eyJ\w{3}…\(\d+ chars\)$/);
      assert.equal(token.scope, 'system/Patient.rs');
      assert.equal((masked.introspection as Record<string, unknown>).active, true);
      const human = await cli(['perform', 'client-credentials'], env);
      assert.equal(human.code, 0, human.stderr);
      assert.match(human.stdout, /^token\n {2}access_token\s+eyJ/);
      assert.match(human.stdout, /^introspection\n(?: {2}.*\n)* {2}active\s+true$/m);
      const dpop = json(await cli(['perform', 'client-credentials', '--dpop', '--json'], env));
      // openid-client reports token_type in lower case.
      assert.equal((dpop.token as Record<string, unknown>).token_type, 'dpop', 'RFC 9449 with --dpop');
      assert.equal((dpop.introspection as Record<string, unknown>).token_type, 'DPoP');
      const shown = json(await cli(['perform', 'client-credentials', '--show-tokens', '--json'], env));
      assert.equal((await adminIntrospect((shown.token as Record<string, string>).access_token!)).active, true, 'the real token with --show-tokens');

      const post = await machineClient(suite, 'system/Patient.rs', { token_endpoint_auth_method: 'client_secret_post' });
      const postEnv = { SMART_AUTH_ISSUER: suite.issuer, SMART_AUTH_CLIENT_ID: post.client_id, SMART_AUTH_CLIENT_SECRET: post.client_secret };
      assert.equal((await cli(['perform', 'client-credentials', '--auth-method', 'client_secret_post'], postEnv)).code, 0, 'the secret in the body');
      const badMethod = await cli(['perform', 'client-credentials', '--auth-method', 'tls'], postEnv);
      assert.equal(badMethod.code, 2);
      assert.match(badMethod.stderr, /--auth-method must be/);

      const key = await clientKey('ES384');
      const keyed = await register(suite, { client_name: 'CLI Keyed', grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [key.publicJwk] }, scope: 'system/Patient.rs' });
      const keyFile = join(tmp, 'client-key.json');
      writeFileSync(keyFile, JSON.stringify({ ...(await exportJWK(key.privateKey)), kid: key.kid, alg: key.alg }), { mode: 0o600 });
      const viaKey = json(await cli(['perform', 'client-credentials', '--private-key', keyFile, '--json'], { SMART_AUTH_ISSUER: suite.issuer, SMART_AUTH_CLIENT_ID: keyed.client_id }));
      assert.equal((viaKey.introspection as Record<string, unknown>).client_id, keyed.client_id);

      const wrong = await cli(['perform', 'client-credentials'], { ...env, SMART_AUTH_CLIENT_SECRET: 'wrong' });
      assert.equal(wrong.code, 1);
      assert.match(wrong.stderr, /^smart-auth: invalid_client: /);
      const badScope = await cli(['perform', 'client-credentials', '--scope', 'system/Nothing.cruds'], env);
      assert.equal(badScope.code, 1);
      assert.match(badScope.stderr, /invalid_scope/);
      const notAKey = await cli(['perform', 'client-credentials', '--private-key', '/etc/hostname'], { SMART_AUTH_ISSUER: suite.issuer, SMART_AUTH_CLIENT_ID: keyed.client_id });
      assert.equal(notAKey.code, 2);
      assert.match(notAKey.stderr, /is not JSON/);
    });
  });

  describe('keys and audit', () => {
    // The shared suite has one key ring: key-rotation.test.ts reads the next ES256 key and then rotates ES256,
    // so this test rotates only RS256, and another file's rotation may come between its calls.
    it('keys list shows the ring; keys rotate --alg RS256 rotates and reports the keys', async () => {
      const keys = json(await cli(['keys', 'list', '--json'])).keys as Array<Record<string, string>>;
      for (const alg of ['ES256', 'RS256']) for (const state of ['next', 'active']) assert.ok(keys.some((k) => k.alg === alg && k.state === state), `${alg} ${state}: ${JSON.stringify(keys)}`);
      const next = keys.find((k) => k.alg === 'RS256' && k.state === 'next')!;
      assert.match((await cli(['keys', 'list'])).stdout, new RegExp(`^KID\\s+ALG\\s+STATE\\s+CREATED[^\\n]*\\n(?:.*\\n)*${next.kid}\\s+RS256\\s+next\\s`));
      const rotated = json(await cli(['keys', 'rotate', '--alg', 'RS256', '--json']));
      const result = (rotated.rotated as Array<Record<string, string>>)[0]!;
      assert.equal((rotated.rotated as unknown[]).length, 1);
      assert.equal(result.alg, 'RS256');
      assert.equal(new Set([result.kid, result.previous_kid, result.next_kid]).size, 3, JSON.stringify(result));
      const after = new Map((json(await cli(['keys', 'list', '--json'])).keys as Array<Record<string, string>>).map((k) => [k.kid, k.state]));
      assert.ok(['active', 'retired'].includes(after.get(result.kid!)!), 'the key that signs now (or already retired by a later rotation)');
      assert.equal(after.get(result.previous_kid!), 'retired');
      assert.ok(after.has(result.next_kid!), 'the new next key is published');
      const human = await cli(['keys', 'rotate', '--alg', 'RS256']);
      assert.equal(human.code, 0, human.stderr);
      assert.match(human.stdout, /^ALG\s+ACTIVE NOW\s+RETIRED\s+NEXT\nRS256\s+\S+\s+\S+\s+\S+\n$/);
      const bad = await cli(['keys', 'rotate', '--alg', 'HS256']);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /^smart-auth: invalid_request: alg must be one of/);
    });

    it('audit verify: the exit code is 1 exactly when the report says the chain is broken, naming the row; audit list filters', async () => {
      // audit-admin.test.ts alters a row of the shared trail behind the triggers on purpose: before it the chain
      // is intact, after it broken. Either way the exit code must follow the report.
      const shared = await cli(['audit', 'verify', '--json']);
      const report = JSON.parse(shared.stdout) as { valid: boolean; checked: number; first_break?: { seq: number; problem: string } };
      assert.equal(shared.code, report.valid ? 0 : 1, shared.stdout);
      assert.ok(report.checked > 0);
      const human = await cli(['audit', 'verify']);
      if (report.valid) {
        assert.equal(human.code, 0, human.stderr);
        assert.match(human.stdout, /^audit chain intact: \d+ event\(s\) checked\n$/);
      } else {
        assert.equal(human.code, 1);
        assert.match(human.stdout, new RegExp(`^AUDIT CHAIN BROKEN after \\d+ event\\(s\\); first bad row:\\n(?:.*\\n)*seq\\s+${report.first_break!.seq}\\n`));
      }
      await listing();
    });

    /** audit list on the shared suite: the filters reach the API, the table shows the event. */
    async function listing(): Promise<void> {
      const machine = await machineClient(suite);
      let events: Array<{ event: { type: string; data: { client_id: string } } }> = [];
      for (let i = 0; i < 50 && events.length === 0; i++) {
        events = json(await cli(['audit', 'list', '--client', machine.client_id, '--type', 'client.registered', '--json'])).events as typeof events;
        if (events.length === 0) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(events.length, 1);
      assert.equal(events[0]!.event.data.client_id, machine.client_id);
      assert.match((await cli(['audit', 'list', '--client', machine.client_id])).stdout, /^SEQ\s+TIME\s+TYPE\s+CLIENT\s+USER\n\d+\s+\S+\s+client\.registered\s+/);
      const bad = await cli(['audit', 'list', '--limit', 'many']);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /invalid_request/);
    }
  });

  describe('perform authorization-code', () => {
    /** Runs the command, follows the printed URL with `drive`, and returns what the command printed. */
    async function launch(args: string[], drive: (url: string) => Promise<void>): Promise<Finished> {
      const run = start(['perform', 'authorization-code', '--no-browser', '--timeout', '60', ...args], { SMART_AUTH_ISSUER: suite.issuer, SMART_AUTH_CLIENT_ID: app.client_id });
      const url = await run.line(/^http:\/\/.*\/authorize\?/);
      await drive(url);
      return run.done;
    }

    /** The pages answered with plain HTTP (no browser); the last redirect is delivered to the CLI's loopback callback. */
    function answerPages(decision: 'approve' | 'deny') {
      return async (url: string) => {
        const jar = new CookieJar();
        const authorize = await browse(suite, jar, url);
        assert.equal(authorize.status, 303, authorize.text);
        const callback = await completeInteraction(suite, jar, authorize.headers.get('location')!, { username: person.username, password: person.password, decision });
        assert.equal(callback.origin.startsWith('http://127.0.0.1:'), true, callback.href);
        assert.equal(callback.pathname, '/callback');
        const landed = await fetch(callback);
        assert.equal(landed.status, 200);
        assert.match(await landed.text(), decision === 'approve' ? /Signed in/ : /Authorization failed/);
      };
    }

    it('prints the URL, takes the redirect on its loopback callback, exchanges the code (PKCE), masks the tokens', async () => {
      const run = await launch(['--scope', 'openid fhirUser launch/patient offline_access patient/*.rs', '--json'], answerPages('approve'));
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /code_challenge_method=S256/);
      const result = JSON.parse(run.stdout) as { token: Record<string, unknown>; id_token_claims: Record<string, unknown> };
      assert.equal(result.token.patient, 'pt-cli');
      assert.match(result.token.access_token as string, /…\(\d+ chars\)$/);
      assert.match(result.token.refresh_token as string, /…\(\d+ chars\)$/);
      assert.match(result.token.id_token as string, /…\(\d+ chars\)$/);
      assert.equal(result.id_token_claims.sub, person.id);
      assert.equal(result.token.scope, 'openid fhirUser launch/patient offline_access patient/*.rs');
    });

    it('--dpop binds the code (dpop_jkt) and the tokens to a fresh key (RFC 9449)', async () => {
      const run = await launch(['--dpop', '--show-tokens', '--json'], answerPages('approve'));
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /dpop_jkt=[A-Za-z0-9_-]{43}/);
      const token = (JSON.parse(run.stdout) as { token: Record<string, string> }).token;
      assert.equal(token.token_type, 'dpop');
      const info = await adminIntrospect(token.access_token!);
      assert.equal(info.token_type, 'DPoP');
      assert.match(String((info.cnf as Record<string, unknown>).jkt), /^[A-Za-z0-9_-]{43}$/);
    });

    it('--show-tokens prints working tokens; the grant shows in grants list, and grants revoke / clients revoke-all cut it off', async () => {
      const run = await launch(['--show-tokens', '--json'], answerPages('approve'));
      assert.equal(run.code, 0, run.stderr);
      const token = (JSON.parse(run.stdout) as { token: Record<string, string> }).token;
      assert.equal((await adminIntrospect(token.access_token!)).active, true);
      const grants = json(await cli(['grants', 'list', '--client', app.client_id, '--user', person.id, '--json'])).grants as Array<Record<string, unknown>>;
      const live = grants.filter((g) => !g.revoked_at);
      assert.ok(live.length >= 1, JSON.stringify(grants));
      assert.match((await cli(['grants', 'list', '--client', app.client_id])).stdout, new RegExp(`^GRANT ID\\s+CLIENT\\s+USER\\s+PATIENT[^\\n]*\\n(?:.*\\n)*${live[0]!.id as string}\\s+${app.client_id}\\s+${person.id}\\s+pt-cli\\s`));
      const revoked = await cli(['grants', 'revoke', live[0]!.id as string]);
      assert.equal(revoked.code, 0, revoked.stderr);
      assert.equal(revoked.stdout, `revoked grant ${live[0]!.id as string}\n`);
      assert.deepEqual(await adminIntrospect(token.access_token!), { active: false });
      const unknown = await cli(['grants', 'revoke', '00000000-0000-4000-8000-000000000000']);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /not_found/);

      const again = await launch(['--show-tokens', '--json'], answerPages('approve'));
      const second = (JSON.parse(again.stdout) as { token: Record<string, string> }).token;
      const all = await cli(['clients', 'revoke-all', app.client_id]);
      assert.equal(all.code, 0, all.stderr);
      assert.match(all.stdout, new RegExp(`^revoked [1-9]\\d* grant\\(s\\) of client ${app.client_id}\\n$`));
      assert.deepEqual(await adminIntrospect(second.access_token!), { active: false });
    });

    it('a denied consent is the OAuth error access_denied with exit 1', async () => {
      const run = await launch([], answerPages('deny'));
      assert.equal(run.code, 1, run.stdout);
      assert.match(run.stderr, /smart-auth: access_denied/);
      assertClean(run);
    });

    it('an unknown client is refused before any redirect: the user sees the page, the CLI gives up at its timeout', async () => {
      const run = start(['perform', 'authorization-code', '--no-browser', '--timeout', '1'], { SMART_AUTH_ISSUER: suite.issuer, SMART_AUTH_CLIENT_ID: 'no-such-client' });
      const url = await run.line(/^http:\/\/.*\/authorize\?/);
      const page = await fetch(url, { redirect: 'manual' });
      assert.equal(page.status, 400, 'an HTML error page, never a redirect, for an unknown client');
      const finished = await run.done;
      assert.equal(finished.code, 1);
      assert.match(finished.stderr, /smart-auth: timeout: no redirect to http:\/\/127\.0\.0\.1:\d+\/callback within 1 s/);
    });

    describe('in a real browser', { skip: browserUnavailable() }, () => {
      let browser: Browser;
      before(async () => {
        browser = await launchBrowser();
      });
      after(async () => {
        await browser?.close();
      });

      it('Chromium opens the printed URL, the person signs in and consents, the CLI prints the tokens', async () => {
        const run = await launch(['--scope', 'openid fhirUser launch/patient patient/*.rs', '--json'], async (url) => {
          const page = await (await newContext(browser)).newPage();
          await page.goto(url);
          await signIn(page, person.username, person.password);
          // The consent page, or straight to the callback if consent is remembered: wait for whichever comes.
          const callback = /^http:\/\/127\.0\.0\.1:\d+\/callback\?/;
          const button = page.getByRole('button', { name: 'Allow' });
          await Promise.race([
            page.waitForURL(callback, { timeout: 30_000 }).catch(() => undefined),
            button.waitFor({ state: 'visible', timeout: 30_000 }).catch(() => undefined),
          ]);
          if (!callback.test(page.url())) await allow(page);
          await page.waitForURL(callback, { timeout: 30_000 });
          assert.match(await page.locator('h1').innerText(), /Signed in/);
        });
        assert.equal(run.code, 0, run.stderr);
        const result = JSON.parse(run.stdout) as { token: Record<string, unknown> };
        assert.equal(result.token.patient, 'pt-cli');
        assert.match(result.token.access_token as string, /…\(\d+ chars\)$/);
      });
    });
  });
});
