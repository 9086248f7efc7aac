/**
 * How much history the growth benchmark seeds (issue #20, "Flat as the data
 * grows"): the counts times `BENCH_HISTORY_SCALE` (1: 1,000,000
 * grants, about 10,000,000 refresh-token rows, 1,000,000 revoked tokens,
 * 5,000,000 audit events, 100,000 clients; and the 200,000 people the grants
 * are given by), spread over two years up to `now`.
 */

/** The counts at scale 1. */
const AT_SCALE_ONE = { clients: 100_000, users: 200_000, grants: 1_000_000, revokedTokens: 1_000_000, auditEvents: 5_000_000 };

/** Clients come in blocks of this many (their kinds, `CLIENT_KINDS` in seed-clients.ts, repeat in this order). */
export const CLIENT_BLOCK = 20;
/** Of each block of clients, the first this many are apps people use (grants go to them); the rest are backends. */
export const USER_FACING_PER_BLOCK = 17;
/** Of each block of users, the first is a practitioner, the others patients (each with a patient record of their own). */
export const USER_BLOCK = 10;
/**
 * Refresh tokens per grant: the one its code was exchanged for, then one per
 * rotation; 1 to this many drawn, fewer for a grant too recent to have had
 * them all yet: about 10 a grant.
 */
export const MAX_TOKENS_PER_GRANT = 21;

export interface HistoryPlan {
  scale: number;
  /** A multiple of {@link CLIENT_BLOCK}. */
  clients: number;
  /** A multiple of {@link USER_BLOCK}. */
  users: number;
  grants: number;
  revokedTokens: number;
  /** Revoked tokens whose token has not expired yet (the introspection service loads them at start). */
  liveRevokedTokens: number;
  auditEvents: number;
  /** The end of the history (the seed's start); everything seeded happened before it. */
  now: Date;
  /** The history's length in days, up to {@link now}. */
  days: number;
  /** REFRESH_TOKEN_TTL_SECONDS the history was written under (the authorization service's default). */
  refreshTokenTtlSeconds: number;
  /** `ISSUER` of the suite (the `smart_style_url` of launch contexts). */
  issuer: string;
  /** `FHIR_BASE_URL` of the suite (the `aud` of access tokens). */
  fhirBaseUrl: string;
}

/** Share of revocations whose token is still live: the last hour's (a deleted client's live tokens, a busy hour). */
const LIVE_REVOKED_SHARE = 0.01;

/** The plan for `scale` (positive; 1 is the counts, 0.001 a quick try). */
export function historyPlan(scale: number, suite: { issuer: string; fhirBaseUrl: string }, now = new Date()): HistoryPlan {
  if (!(scale > 0) || !Number.isFinite(scale)) throw new Error(`BENCH_HISTORY_SCALE must be a positive number, not ${scale}`);
  const count = (n: number, multiple = 1) => Math.max(multiple, Math.round((n * scale) / multiple) * multiple);
  const revokedTokens = count(AT_SCALE_ONE.revokedTokens);
  return {
    scale,
    clients: count(AT_SCALE_ONE.clients, CLIENT_BLOCK),
    users: count(AT_SCALE_ONE.users, USER_BLOCK),
    grants: count(AT_SCALE_ONE.grants),
    revokedTokens,
    liveRevokedTokens: Math.max(1, Math.round(revokedTokens * LIVE_REVOKED_SHARE)),
    auditEvents: count(AT_SCALE_ONE.auditEvents),
    now,
    days: 730,
    refreshTokenTtlSeconds: 92 * 24 * 3600,
    issuer: suite.issuer,
    fhirBaseUrl: suite.fhirBaseUrl,
  };
}

/** BENCH_HISTORY_SCALE (default 1). */
export function historyScaleFromEnvironment(): number {
  return Number(process.env.BENCH_HISTORY_SCALE ?? 1);
}
