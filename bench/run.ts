/**
 * `npm run bench`: the suite as separate processes over real NATS and
 * PostgreSQL on loopback, driven by autocannon from this process (so the load
 * generator shares the machine's cores, as the targets assume). Reports
 * client_credentials tokens/s and /introspect calls/s at 16 and 64
 * connections with p50/p99, next to the raw jose sign/verify rates measured
 * in the same run, and checks that every issued token was audited and every
 * revocation honoured while under load. Also SMART Backend Services:
 * client_credentials authenticated by a private_key_jwt assertion (ES384 and
 * RS384; the server verifies the assertion, records its jti and signs the
 * token), against the raw verify+sign rate of the same algorithms.
 *
 * In the same run, the reference the issue states its targets against:
 * node-oidc-provider, one process with its in-memory store, driven the same
 * way (bench/reference-server.ts). Its rates today, next to ours, give the
 * targets as ratios, which hold whatever the shared host's speed that day.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import pg from 'pg';
import { freePort, SERVICE_NAMES, startSuite, type RunningSuite } from '#testing';
import { REFERENCE_CLIENT, REFERENCE_SCOPE, startReference, type ReferenceServer } from './reference.js';
import { runOverload } from './overload.js';
import { postgresPids, type CpuGroups } from './cpu-split.js';
import { dpopProofSupply } from './dpop.js';
import { runFlows } from './flows.js';
import { growthSuiteEnv, runGrowth } from './growth.js';
import { DURATION, load, WARMUP, type Row } from './http-load.js';
import { MemorySampler, printFootprint, startupTimes } from './process-footprint.js';

process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Without NATS_URL the benchmark runs its own nats-server (JetStream, a
 * temporary store) with GOMAXPROCS=1: on two cores shared with the load
 * generator and every service, a Go runtime allowed two threads spends its
 * spare time spinning and the machine's default NATS cost about a third of
 * the throughput in our measurements (see README). Set NATS_URL to measure
 * against another server.
 */
async function ownNats(): Promise<{ url: string; pid: number | undefined; stop: () => void } | undefined> {
  const binary = ['/usr/sbin/nats-server', '/usr/local/bin/nats-server', '/usr/bin/nats-server'].find((p) => existsSync(p));
  if (!binary) return undefined;
  const port = await freePort();
  const store = mkdtempSync(join(tmpdir(), 'bench-nats-'));
  const child: ChildProcess = spawn(binary, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', store], { env: { ...process.env, GOMAXPROCS: '1' }, stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 500));
  return {
    url: `nats://127.0.0.1:${port}`,
    pid: child.pid,
    stop: () => {
      child.kill('SIGTERM');
      // The server may still be writing its store as it exits; a left-over temporary folder is harmless.
      try {
        rmSync(store, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
      } catch {
        /* left in the temporary folder */
      }
    },
  };
}

const ALG = 'ES256';
const BACKEND_ALGS = ['ES384', 'RS384'];
/** Which parts to run (comma-separated: token, dpop, introspect, backend, reference, flows, overload, growth); all but overload and growth by default. */
const ONLY = new Set((process.env.BENCH_ONLY ?? 'token,dpop,introspect,backend,reference,flows').split(',').map((s) => s.trim()));
/**
 * The issue's targets were set against node-oidc-provider's rates on this
 * machine on a faster day: 5,000 of its 9,000 tokens/s and 8,000 of its
 * 11,800 introspections/s, at 64 connections.
 */
const TARGET_RATIO = { tokens: 5_000 / 9_000, introspections: 8_000 / 11_800 };
const REFERENCE_TOKEN_NAME = { jwt: 'reference: node-oidc-provider /token, JWT access token', opaque: 'reference: node-oidc-provider /token, opaque access token' };
const REFERENCE_INTROSPECT_NAME = 'reference: node-oidc-provider introspection (opaque token)';
const DPOP_TOKEN_NAME = 'client_credentials /token with a DPoP proof';
/** Pre-signed assertions per algorithm: enough for warm-up plus the run at the rates this machine reaches. */
const ASSERTIONS = Number(process.env.BENCH_ASSERTIONS ?? 70_000);

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

async function rawJoseRates(seconds: number): Promise<{ sign: number; verify: number }> {
  const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
  const priv = await importJWK((await exportJWK(privateKey)) as JWK, ALG);
  const claims = { client_id: 'bench', scope: 'system/*.rs' };
  const sign = () =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: ALG, kid: 'k', typ: 'at+jwt' })
      .setIssuer('http://127.0.0.1')
      .setSubject('bench')
      .setAudience('http://127.0.0.1/fhir')
      .setJti(crypto.randomUUID())
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(priv);
  let n = 0;
  let end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    await sign();
    n++;
  }
  const signRate = n / seconds;
  const token = await sign();
  n = 0;
  end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    await jwtVerify(token, publicKey);
    n++;
  }
  return { sign: signRate, verify: n / seconds };
}

/** Raw jose rate of verifying one `alg` assertion and signing one ES256 token, back to back (what the server does per request). */
async function rawVerifyAndSign(alg: string, seconds: number): Promise<number> {
  const client = await generateKeyPair(alg, { extractable: true });
  const server = await generateKeyPair(ALG, { extractable: true });
  const assertion = await new SignJWT({}).setProtectedHeader({ alg, kid: 'c' }).setIssuer('bench').setSubject('bench').setAudience('http://127.0.0.1/token').setJti('j').setExpirationTime('5m').sign(client.privateKey);
  let n = 0;
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    await jwtVerify(assertion, client.publicKey);
    await new SignJWT({ scope: 'system/*.rs' }).setProtectedHeader({ alg: ALG, kid: 's', typ: 'at+jwt' }).setIssuer('http://127.0.0.1').setSubject('bench').setJti(crypto.randomUUID()).setExpirationTime('5m').sign(server.privateKey);
    n++;
  }
  return n / seconds;
}

/**
 * A backend-services client of `alg` registered with its public key, and a
 * supply of pre-signed assertions (signing them during the load would make the
 * load generator, not the suite, the thing measured).
 */
async function assertionClient(suite: RunningSuite, alg: string, count: number): Promise<{ clientId: string; next: () => string; exhausted: () => boolean }> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench-1', alg, use: 'sig' };
  const reg = await post(suite, '/register', trustedRegistration(suite), JSON.stringify({
    client_name: `Bench Backend ${alg}`,
    grant_types: ['client_credentials'],
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: alg,
    jwks: { keys: [jwk] },
    scope: 'system/*.rs',
  }));
  if (reg.status !== 201) throw new Error(`registering the ${alg} client failed: ${reg.status} ${await reg.text()}`);
  const { client_id: clientId } = (await reg.json()) as { client_id: string };
  const sign = () =>
    new SignJWT({})
      .setProtectedHeader({ alg, kid: 'bench-1' })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(`${suite.issuer}/token`)
      .setJti(crypto.randomUUID())
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
  const bodies: string[] = [];
  // Signed 256 at a time: WebCrypto works on the thread pool, so both cores sign.
  while (bodies.length < count) {
    const assertions = await Promise.all(Array.from({ length: Math.min(256, count - bodies.length) }, sign));
    for (const assertion of assertions) {
      bodies.push(`grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=${assertion}`);
    }
  }
  let i = 0;
  return {
    clientId,
    // Past the supply, the last assertion is sent again: the server refuses the replay (counted as non-2xx) and the run
    // reports it, instead of an exception inside autocannon ending the process with the suite still running.
    next: () => bodies[Math.min(i++, bodies.length - 1)]!,
    exhausted: () => i > bodies.length,
  };
}

/**
 * Trust tiers: the benchmark's backends register as an operator's registrar
 * would, with the run's initial access token (the harness configures one), so
 * their system scopes and `introspect` are usable at once.
 */
function trustedRegistration(suite: RunningSuite): Record<string, string> {
  const token = suite.env.REGISTRATION_INITIAL_ACCESS_TOKEN;
  if (!token) throw new Error('the suite has no REGISTRATION_INITIAL_ACCESS_TOKEN');
  return { 'content-type': 'application/json', authorization: `Bearer ${token}` };
}

async function post(suite: RunningSuite, path: string, headers: Record<string, string>, body: string): Promise<Response> {
  return fetch(`${suite.baseUrl}${path}`, { method: 'POST', headers, body });
}

async function main(): Promise<void> {
  console.log(`# raw jose ${ALG} rates on this machine (single thread)`);
  const raw = await rawJoseRates(3);
  console.log(`sign ${Math.round(raw.sign)}/s, verify ${Math.round(raw.verify)}/s`);
  const rawBackend: Record<string, number> = {};
  for (const alg of BACKEND_ALGS) rawBackend[alg] = await rawVerifyAndSign(alg, 2);
  console.log(`verify assertion + sign token: ${BACKEND_ALGS.map((a) => `${a} ${Math.round(rawBackend[a]!)}/s`).join(', ')}`);

  const nats = process.env.NATS_URL ? undefined : await ownNats();
  process.env.NATS_URL ??= nats?.url ?? 'nats://127.0.0.1:4222';
  console.log(`# NATS: ${process.env.NATS_URL}${nats ? ' (own nats-server, GOMAXPROCS=1)' : ''}`);
  // BENCH_SUITE_ENV: JSON of extra service settings to compare (e.g. '{"ADMISSION_QUEUE_TIMEOUT_MS":"50"}').
  const extraEnv = process.env.BENCH_SUITE_ENV ? (JSON.parse(process.env.BENCH_SUITE_ENV) as Record<string, string>) : {};
  const suite = await startSuite({ env: { LOG_LEVEL: 'warn', DATABASE_POOL_SIZE: '10', ...(ONLY.has('growth') ? growthSuiteEnv() : {}), ...extraEnv } });
  const memory = new MemorySampler(suite);
  let refs: Record<'jwt' | 'opaque', ReferenceServer> | undefined;
  const rows: Row[] = [];
  try {
    const reg = await post(suite, '/register', trustedRegistration(suite), JSON.stringify({
      client_name: 'Bench Client',
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'system/*.rs introspect',
    }));
    const client = (await reg.json()) as { client_id: string; client_secret: string };
    const auth = basic(client.client_id, client.client_secret);
    const form = { 'content-type': 'application/x-www-form-urlencoded', authorization: auth };

    // Where the CPU goes, per process, while the suite answers: every service, NATS, PostgreSQL and the load generator.
    const cpu = (): CpuGroups => ({
      ...Object.fromEntries(SERVICE_NAMES.map((name) => [name, suite.processes(name).flatMap((c) => (c.pid ? [c.pid] : []))])),
      ...(nats?.pid ? { nats: [nats.pid] } : {}),
      postgres: postgresPids(),
      'load generator': 'self',
    });

    // The reference runs right before the suite's run at 64 connections, so both see the host at the same speed.
    refs = ONLY.has('reference') && (ONLY.has('token') || ONLY.has('introspect')) ? await startReferences(`${suite.issuer}/fhir`) : undefined;
    const refForm = { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(REFERENCE_CLIENT.id, REFERENCE_CLIENT.secret) };
    const refTokenBody = `grant_type=client_credentials&scope=${encodeURIComponent(REFERENCE_SCOPE)}`;
    const refCpu = (ref: ReferenceServer) => (): CpuGroups => ({ reference: [ref.pid], 'load generator': 'self' });

    if (ONLY.has('token')) {
      rows.push(await load('client_credentials /token', `${suite.baseUrl}/token`, 16, form, 'grant_type=client_credentials', undefined, cpu));
      if (refs) rows.push(await load(REFERENCE_TOKEN_NAME.jwt, `${refs.jwt.url}/token`, 64, refForm, refTokenBody, (b) => b.includes('"access_token"'), refCpu(refs.jwt)));
      rows.push(await load('client_credentials /token', `${suite.baseUrl}/token`, 64, form, 'grant_type=client_credentials', undefined, cpu));
      if (refs) rows.push(await load(REFERENCE_TOKEN_NAME.opaque, `${refs.opaque.url}/token`, 64, refForm, refTokenBody, (b) => b.includes('"access_token"'), refCpu(refs.opaque)));
    }

    if (ONLY.has('dpop')) {
      // RFC 9449: the same client and grant with a DPoP proof per request (one ES256 verify, one jti kept across replicas).
      const proofs = await dpopProofSupply(suite.issuer, ASSERTIONS);
      rows.push(await load(DPOP_TOKEN_NAME, `${suite.baseUrl}/token`, 64, form, 'grant_type=client_credentials', (b) => b.includes('"token_type":"DPoP"'), cpu, proofs.next));
      if (proofs.exhausted()) console.log('ran out of pre-signed DPoP proofs (the replays were refused); raise BENCH_ASSERTIONS');
    }

    const live = ((await (await post(suite, '/token', form, 'grant_type=client_credentials')).json()) as { access_token: string }).access_token;
    const revoked = ((await (await post(suite, '/token', form, 'grant_type=client_credentials')).json()) as { access_token: string }).access_token;
    const rev = await post(suite, '/revoke', form, `token=${revoked}`);
    if (rev.status !== 200) throw new Error(`revocation failed: ${rev.status}`);

    if (ONLY.has('introspect')) {
      rows.push(await load('/introspect (active token)', `${suite.baseUrl}/introspect`, 16, form, `token=${live}`, (b) => b.includes('"active":true'), cpu));
      if (refs) {
        const issued = await fetch(`${refs.opaque.url}/token`, { method: 'POST', headers: refForm, body: refTokenBody });
        const { access_token: refToken } = (await issued.json()) as { access_token: string };
        rows.push(await load(REFERENCE_INTROSPECT_NAME, `${refs.opaque.url}/token/introspection`, 64, refForm, `token=${refToken}`, (b) => b.includes('"active":true'), refCpu(refs.opaque)));
      }
      rows.push(await load('/introspect (active token)', `${suite.baseUrl}/introspect`, 64, form, `token=${live}`, (b) => b.includes('"active":true'), cpu));
      rows.push(await load('/introspect (revoked token)', `${suite.baseUrl}/introspect`, 64, form, `token=${revoked}`, (b) => b === '{"active":false}'));
    }

    if (ONLY.has('flows')) {
      const ccRate = rows.filter((r) => r.name === 'client_credentials /token').reduce((m, r) => Math.max(m, r.rps), 0);
      if (!(await runFlows(suite, DURATION, WARMUP, cpu, ccRate || undefined))) {
        console.log('FAILED: a whole flow failed');
        process.exitCode = 1;
      }
    }

    if (ONLY.has('overload') && !(await runOverload(suite, form, DURATION, cpu))) process.exitCode = 1;

    if (ONLY.has('growth') && !(await runGrowth(suite, form, DURATION, WARMUP, cpu))) {
      console.log('FAILED: a request or flow of the growth run failed, or a revocation was not honoured after the restart');
      process.exitCode = 1;
    }

    for (const alg of ONLY.has('backend') ? BACKEND_ALGS : []) {
      const backend = await assertionClient(suite, alg, ASSERTIONS);
      rows.push(
        await load(`backend services ${alg} assertion /token`, `${suite.baseUrl}/token`, 64, { 'content-type': 'application/x-www-form-urlencoded' }, backend.next, (b) =>
          b.includes('"access_token"'),
        ),
      );
      if (backend.exhausted()) console.log(`ran out of pre-signed ${alg} assertions (the replays were refused); raise BENCH_ASSERTIONS`);
    }

    // Every issued token must have reached the audit trail: the benchmark's 2xx answers plus the two tokens above.
    const issued = rows.filter((r) => r.name.startsWith('client_credentials')).reduce((n, r) => n + r.ok, 0) + 2;
    const db = new pg.Client({ connectionString: suite.databaseUrl });
    await db.connect();
    const count = async () =>
      Number((await db.query(`SELECT count(*)::int AS n FROM audit_event WHERE type = 'token.issued' AND client_id = $1`, [client.client_id])).rows[0].n);
    let audited = await count();
    for (let i = 0; i < 60; i++) {
      const before = audited;
      await new Promise((r) => setTimeout(r, 1000));
      audited = await count();
      if (audited === before) break;
    }
    const jetstreamPublished = Number(
      (await db.query(`SELECT count(*)::int AS n FROM audit_event WHERE type = 'token.issued'`)).rows[0].n,
    );
    await db.end();

    memory.stop();
    printFootprint(memory, await startupTimes(suite));

    const tokenRows = rows.filter((r) => r.name.startsWith('client_credentials'));
    const ours = rows.filter((r) => !r.name.startsWith('reference'));
    const intro = rows.filter((r) => r.name.startsWith('/introspect (active'));
    console.log('\n| benchmark | connections | req/s | p50 ms | p99 ms | non-2xx | errors | wrong answers |');
    console.log('|---|---|---|---|---|---|---|---|');
    for (const r of rows) console.log(`| ${r.name} | ${r.connections} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.non2xx} | ${r.errors} | ${r.mismatches} |`);
    for (const measured of [ours, rows.filter((r) => r.name.startsWith('reference'))].map((rs) => rs.filter((r) => r.cpuPerRequest))) {
      if (!measured.length) continue;
      const groups = Object.keys(measured[0]!.cpuPerRequest!);
      console.log(`\nCPU µs per answered request, by process, over the measured run (2 cores give ${Math.round(2e6 / 5000)} µs per request at 5,000/s):`);
      console.log(`| benchmark | connections | ${groups.join(' | ')} | total |`);
      console.log(`|---|---|${groups.map(() => '---|').join('')}---|`);
      for (const r of measured) {
        const c = r.cpuPerRequest!;
        console.log(`| ${r.name} | ${r.connections} | ${groups.map((g) => c[g]).join(' | ')} | ${Object.values(c).reduce((a, b) => a + b, 0)} |`);
      }
    }
    const best = (rs: Row[]) => (rs.length ? Math.max(...rs.map((r) => r.rps)) : NaN);
    console.log(`\nraw ${ALG} sign: ${Math.round(raw.sign)}/s; verify: ${Math.round(raw.verify)}/s (one core, in this process)`);
    // Only the ratios of what this run measured (BENCH_ONLY may leave some out).
    if (tokenRows.length) console.log(`tokens/s ÷ raw signs/s: ${(best(tokenRows) / raw.sign).toFixed(2)}`);
    if (intro.length) console.log(`introspections/s ÷ raw verifies/s: ${(best(intro) / raw.verify).toFixed(2)}`);
    const dpop = rows.find((r) => r.name === DPOP_TOKEN_NAME);
    const bearer64 = rows.find((r) => r.name === 'client_credentials /token' && r.connections === 64);
    if (dpop) {
      console.log(
        `DPoP tokens/s: ${dpop.rps}${bearer64 ? `, ÷ Bearer tokens/s at 64 connections: ${(dpop.rps / bearer64.rps).toFixed(2)}` : ''}, ÷ raw ${ALG} verifies/s: ${(dpop.rps / raw.verify).toFixed(2)} (a proof costs one verify and one replay-store write)`,
      );
    }
    printReferenceRatios(rows);
    for (const alg of BACKEND_ALGS) {
      const row = rows.find((r) => r.name.includes(alg));
      if (!row) continue;
      console.log(`backend services ${alg}: tokens/s ÷ raw (verify ${alg} + sign ${ALG})/s: ${(row.rps / rawBackend[alg]!).toFixed(2)}`);
    }
    console.log(`tokens issued: ${issued}; token.issued events in the audit trail: ${audited} (all clients: ${jetstreamPublished})`);
    // Requests still in flight when autocannon stops are issued (and audited) but not counted, so the
    // trail may hold a few more than were counted; it must never hold fewer.
    if (audited < issued) {
      console.log('FAILED: tokens were handed out that the audit trail does not have');
      process.exitCode = 1;
    }
    writeFileSync('bench/last-run.json', JSON.stringify({ date: new Date().toISOString(), raw, rawBackend, rows, issued, audited }, null, 2));
    const failures = rows.filter((r) => r.non2xx || r.errors || r.mismatches);
    if (failures.length) {
      console.log(`FAILED: ${failures.map((f) => `${f.name}@${f.connections}`).join(', ')} had failed or wrong answers`);
      process.exitCode = 1;
    }
  } finally {
    for (const ref of Object.values(refs ?? {})) ref.stop();
    await suite.stop();
    nats?.stop();
  }
}

/** Both reference servers: JWT access tokens (like ours) and opaque ones (which it can introspect). */
async function startReferences(audience: string): Promise<Record<'jwt' | 'opaque', ReferenceServer>> {
  const jwt = await startReference('jwt', audience);
  try {
    return { jwt, opaque: await startReference('opaque', audience) };
  } catch (err: unknown) {
    jwt.stop();
    throw err;
  }
}

/** Our rates at 64 connections against the reference's in this run, next to the ratios the issue's targets ask for. */
function printReferenceRatios(rows: Row[]): void {
  const at64 = (name: string) => rows.find((r) => r.name === name && r.connections === 64);
  const tokens = at64('client_credentials /token');
  const introspections = at64('/introspect (active token)');
  const lines: string[] = [];
  for (const format of ['jwt', 'opaque'] as const) {
    const ref = at64(REFERENCE_TOKEN_NAME[format]);
    if (!tokens || !ref) continue;
    lines.push(
      `tokens/s ÷ reference ${format} tokens/s: ${(tokens.rps / ref.rps).toFixed(2)} (target ${TARGET_RATIO.tokens.toFixed(2)}); p99 ${tokens.p99} ms against the reference's ${ref.p99} ms`,
    );
  }
  const ref = at64(REFERENCE_INTROSPECT_NAME);
  if (introspections && ref) {
    lines.push(
      `introspections/s ÷ reference introspections/s: ${(introspections.rps / ref.rps).toFixed(2)} (target ${TARGET_RATIO.introspections.toFixed(2)}); p99 ${introspections.p99} ms against the reference's ${ref.p99} ms`,
    );
  }
  if (lines.length) console.log(`\n# against node-oidc-provider in this run, 64 connections\n${lines.join('\n')}`);
}

await main();
