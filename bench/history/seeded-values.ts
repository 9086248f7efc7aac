/**
 * Every value the history seed makes up is derived from one secret of the
 * run (`seed`, never stored) and the row's number: SHA-256 of
 * `<seed>:<label>:<n>`. The seed computes them in SQL (the `pg_temp`
 * functions below, made once per connection) so that tables of millions of
 * rows are written by `INSERT … SELECT … FROM generate_series`; the same
 * derivations in TypeScript ({@link SeededValues}) let a test present what a
 * seeded row stands for (a client's secret, a refresh token, a password) to
 * the services' own code, and check both sides agree.
 *
 * Nothing is stored in the clear: the tables get what the services store,
 * the SHA-256 of client secrets, registration access tokens and refresh
 * tokens, and scrypt hashes of passwords.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { HistoryPlan } from './history-plan.js';

/** The run's secrets: the seed of every derivation, and the deployment's refresh-token checksum key (from `refresh_token_format`). */
export interface SeedSecrets {
  /** Hex; only in this process and in the functions of the seeding connection. */
  seed: string;
  checksumKey: Buffer;
}

export function newSeedSecrets(checksumKey: Buffer): SeedSecrets {
  return { seed: randomBytes(16).toString('hex'), checksumKey: Buffer.from(checksumKey) };
}

/** RFC 2104: the key padded to SHA-256's 64-byte block, XORed with `pad` (0x36 inner, 0x5c outer). */
function hmacPad(key: Buffer, pad: number): string {
  const block = Buffer.alloc(64);
  key.copy(block);
  return Buffer.from(block.map((b) => b ^ pad)).toString('hex');
}

const ISO = (date: Date) => date.toISOString();

/**
 * The `pg_temp` functions of a seeding connection (gone when it closes). The
 * secrets and the plan's constants are written into their bodies as
 * literals (hex and numbers only).
 */
export function seededValueFunctions(secrets: SeedSecrets, plan: HistoryPlan): string[] {
  if (!/^[0-9a-f]+$/.test(secrets.seed)) throw new Error('the seed must be hex');
  const start = new Date(plan.now.getTime() - plan.days * 86_400_000);
  const span = (plan.now.getTime() - start.getTime()) / 1000;
  const fn = (signature: string, returns: string, body: string, volatility = 'STABLE') =>
    `CREATE FUNCTION pg_temp.${signature} RETURNS ${returns} LANGUAGE sql ${volatility} PARALLEL SAFE AS $fn$ ${body} $fn$`;
  return [
    fn('h(label text, i bigint)', 'bytea', `SELECT sha256(convert_to('${secrets.seed}:' || label || ':' || i, 'UTF8'))`),
    fn('u(label text, i bigint)', 'float8', `SELECT ('x' || encode(substr(pg_temp.h(label, i), 1, 6), 'hex'))::bit(48)::bigint::float8 / 281474976710656::float8`),
    fn('b64url(b bytea)', 'text', `SELECT rtrim(translate(encode(b, 'base64'), E'+/\\n', '-_'), '=')`, 'IMMUTABLE'),
    fn('uuid_of_hash(b bytea)', 'text',
      `SELECT substr(encode(b, 'hex'), 1, 8) || '-' || substr(encode(b, 'hex'), 9, 4) || '-4' || substr(encode(b, 'hex'), 14, 3) || '-'
          || substr('89ab', (get_byte(b, 8) & 3) + 1, 1) || substr(encode(b, 'hex'), 18, 3) || '-' || substr(encode(b, 'hex'), 21, 12)`, 'IMMUTABLE'),
    fn('uuid_of(label text, i bigint)', 'text', `SELECT pg_temp.uuid_of_hash(pg_temp.h(label, i))`),
    fn('sha256_hex(t text)', 'text', `SELECT encode(sha256(convert_to(t, 'UTF8')), 'hex')`),
    fn('secret(label text, i bigint)', 'text', `SELECT pg_temp.b64url(pg_temp.h(label, i))`),
    fn('client_id_of(id text)', 'text', `SELECT CASE WHEN left(id, 1) IN ('-', '_') THEN 'c' || substr(id, 2) ELSE id END`, 'IMMUTABLE'),
    fn('client_id(i bigint)', 'text', `SELECT pg_temp.client_id_of(pg_temp.b64url(substr(pg_temp.h('client', i), 1, 16)))`),
    fn('user_id(i bigint)', 'text', `SELECT pg_temp.uuid_of('user', i)`),
    fn('patient_id(i bigint)', 'text', `SELECT 'pt-' || substr(encode(pg_temp.h('patient', i), 'hex'), 1, 16)`),
    fn('practitioner_id(i bigint)', 'text', `SELECT 'pr-' || substr(encode(pg_temp.h('practitioner', i), 'hex'), 1, 16)`),
    fn('jti(r bigint)', 'text', `SELECT pg_temp.b64url(substr(pg_temp.h('jti', r), 1, 16))`),
    // libs/oauth RefreshTokenChecksum: 24 random bytes and the first 8 of HMAC-SHA-256(key, them), base64url.
    fn('refresh_token_of(r bytea)', 'text',
      `SELECT pg_temp.b64url(r || substr(sha256(decode('${hmacPad(secrets.checksumKey, 0x5c)}', 'hex') || sha256(decode('${hmacPad(secrets.checksumKey, 0x36)}', 'hex') || r)), 1, 8))`,
      'IMMUTABLE'),
    fn('refresh_token(g bigint, j int)', 'text', `SELECT pg_temp.refresh_token_of(substr(pg_temp.h('refresh', g * 32 + j), 1, 24))`),
    // Clients register and people join over the history up to its last day (oldest first).
    fn('client_created(i bigint)', 'timestamptz', `SELECT '${ISO(start)}'::timestamptz + make_interval(secs => ${span - 86_400} * i / ${plan.clients}.0)`),
    fn('user_created(i bigint)', 'timestamptz', `SELECT '${ISO(start)}'::timestamptz + make_interval(secs => ${span - 86_400} * i / ${plan.users}.0)`),
  ];
}

/** The same derivations in TypeScript. */
export class SeededValues {
  constructor(private readonly secrets: SeedSecrets) {}

  hash(label: string, i: number): Buffer {
    return createHash('sha256').update(`${this.secrets.seed}:${label}:${i}`, 'utf8').digest();
  }

  /** A number in [0, 1) (48 bits). */
  uniform(label: string, i: number): number {
    return this.hash(label, i).readUIntBE(0, 6) / 2 ** 48;
  }

  uuid(label: string, i: number): string {
    const b = this.hash(label, i);
    const x = b.toString('hex');
    return `${x.slice(0, 8)}-${x.slice(8, 12)}-4${x.slice(13, 16)}-${'89ab'[b[8]! & 3]}${x.slice(17, 20)}-${x.slice(20, 32)}`;
  }

  /** Client number `i`: its id, 16 bytes base64url as the registration service makes them. */
  clientId(i: number): string {
    const id = this.hash('client', i).subarray(0, 16).toString('base64url');
    return id.startsWith('-') || id.startsWith('_') ? `c${id.slice(1)}` : id;
  }

  /** Its client secret (stored as SHA-256; only symmetric clients have one). */
  clientSecret(i: number): string {
    return this.hash('client-secret', i).toString('base64url');
  }

  registrationAccessToken(i: number): string {
    return this.hash('registration-token', i).toString('base64url');
  }

  userId(i: number): string {
    return this.uuid('user', i);
  }

  patientId(i: number): string {
    return `pt-${this.hash('patient', i).toString('hex').slice(0, 16)}`;
  }

  /** Password `k` of the pool the users' scrypt hashes are made from. */
  password(k: number): string {
    return this.hash('password', k).toString('base64url');
  }

  grantId(g: number): string {
    return this.uuid('grant', g);
  }

  /** Refresh token `j` (0: the one the code was exchanged for) of grant `g`. */
  refreshToken(g: number, j: number): string {
    const random = this.hash('refresh', g * 32 + j).subarray(0, 24);
    const checksum = createHmac('sha256', this.secrets.checksumKey).update(random).digest().subarray(0, 8);
    return Buffer.concat([random, checksum]).toString('base64url');
  }

  /** The `jti` of revoked token `r` (16 bytes base64url, as the token service makes them). */
  jti(r: number): string {
    return this.hash('jti', r).subarray(0, 16).toString('base64url');
  }
}
