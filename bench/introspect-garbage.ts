/**
 * `node dist/bench/introspect-garbage.js` (issue #14): the latency of
 * /introspect for tokens that are not ours (forged signatures, unknown keys,
 * malformed text, opaque garbage shaped like a refresh token, a token near
 * the body limit) next to a valid access token, each kind alone for
 * BENCH_DURATION_S (default 3) seconds at BENCH_CONNECTIONS (default 16)
 * connections, twice: at a fixed rate of BENCH_RATE requests/s (default
 * 1000; "the same load") and as fast as the connections go (saturation,
 * where latency follows CPU per request), against the suite as separate
 * processes on the NATS and PostgreSQL of NATS_URL / DATABASE_URL. Target:
 * every kind's p99 within 1.5 × the valid token's at the same load. Short on
 * purpose: it runs beside other work; BENCH_ROUNDS repeats it and keeps each
 * kind's best round (the host is shared).
 */
import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import { startSuite } from '#testing';

process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
process.env.NATS_URL ??= 'nats://127.0.0.1:4222';
const DURATION = Number(process.env.BENCH_DURATION_S ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const RATE = Number(process.env.BENCH_RATE ?? 1000);

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function main(): Promise<void> {
  const suite = await startSuite({});
  try {
    const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
    const registered = await fetch(`${suite.baseUrl}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${suite.env.REGISTRATION_INITIAL_ACCESS_TOKEN}` },
      body: JSON.stringify({ client_name: 'bench', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', scope: 'system/Patient.rs introspect' }),
    });
    const client = (await registered.json()) as { client_id: string; client_secret: string };
    const authorization = basic(client.client_id, client.client_secret);
    const issued = await fetch(`${suite.baseUrl}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
      body: 'grant_type=client_credentials&scope=system/Patient.rs',
    });
    const valid = ((await issued.json()) as { access_token: string }).access_token;
    const [header, payload, signature] = valid.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const headerJson = JSON.parse(Buffer.from(header, 'base64url').toString()) as Record<string, unknown>;
    const forgedSignature = `${header}.${b64({ ...claims, scope: 'system/*.cruds' })}.${signature}`;
    const refreshShaped = randomBytes(32).toString('base64url');
    const unknownKid = `${b64({ ...headerJson, kid: 'no-such-kid' })}.${payload}.${signature}`;
    const kinds: Array<[string, () => string]> = [
      ['valid access token', () => valid],
      ['forged signature (our kid)', () => forgedSignature],
      ['forged signature, new each time', () => `${header}.${b64({ ...claims, jti: randomBytes(12).toString('base64url') })}.${signature}`],
      ['unknown kid', () => unknownKid],
      ['unknown kid, new each time', () => `${b64({ ...headerJson, kid: randomBytes(6).toString('hex') })}.${payload}.${signature}`],
      ['malformed text', () => 'not-a-token.at all'],
      ['43-char base64url garbage (refresh-token shaped), new each time', () => randomBytes(32).toString('base64url')],
      ['43-char base64url garbage, the same one', () => refreshShaped],
      ['100-char base64url garbage, new each time', () => randomBytes(75).toString('base64url')],
      ['60,000-character token', () => 'a'.repeat(60_000)],
    ];
    type Result = { kind: string; mode: string; rps: number; p50: number; p99: number; non2xx: number; errors: number };
    const results: Result[] = [];
    const modes: Array<[string, number | undefined]> = [[`${RATE} req/s`, RATE], ['saturation', undefined]];
    for (let round = 0; round < ROUNDS; round++) {
      for (const [mode, rate] of modes) {
        for (const [kind, token] of kinds) {
          const result = await autocannon({
            url: `${suite.baseUrl}/introspect`,
            method: 'POST',
            connections: CONNECTIONS,
            duration: DURATION,
            ...(rate ? { overallRate: rate } : {}),
            headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
            requests: [{ setupRequest: (req) => ({ ...req, body: `token=${token()}` }) }],
          });
          results.push({ kind, mode, rps: Math.round(result.requests.average), p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors + result.timeouts });
        }
      }
    }
    // The host is shared: each kind's best round is compared with the valid token's best round.
    for (const [mode] of modes) {
      const best = (kind: string) => results.filter((r) => r.kind === kind && r.mode === mode).reduce((a, b) => (b.p99 < a.p99 ? b : a));
      const validP99 = best('valid access token').p99;
      console.log(`/introspect at ${mode}, ${CONNECTIONS} connections, ${DURATION} s per kind, best of ${ROUNDS} round(s) (valid p99 ${validP99} ms)`);
      for (const [kind] of kinds) {
        const r = best(kind);
        const rounds = results.filter((x) => x.kind === kind && x.mode === mode).map((x) => x.p99).join('/');
        console.log(`  ${kind.padEnd(66)} ${String(r.rps).padStart(6)} req/s  p50 ${String(r.p50).padStart(4)} ms  p99 ${String(r.p99).padStart(4)} ms (rounds ${rounds})  ×${(r.p99 / validP99).toFixed(2)}  non-2xx ${r.non2xx}  errors ${r.errors}`);
      }
    }
  } finally {
    await suite.stop();
  }
}

await main();
