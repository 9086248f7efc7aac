import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createLocalJWKSet, decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import type { DataSource } from 'typeorm';
import type { ClientRecord, LaunchContext } from '#contracts';
import { ClientDirectory, type ExpiringRows } from '#nest';
import { generateOpaqueToken, InvalidRequest, mayUseScope, sha256Hex } from '#oauth';
import { AuthorizationConfig } from '../config/authorization.config.js';
import { LaunchContextEntity } from '../persistence/entities/launch-context.entity.js';
import { returningRows } from '../persistence/returning.js';
import { checkFhirContext } from './fhir-context.js';
import type { CreateLaunchDto } from './launch-context.dto.js';
import { launchBindingOf, type LaunchBinding, type ResolvedLaunch } from './launch-binding.js';

const LAUNCH_JWT_ALGS = ['RS256', 'RS384', 'ES256', 'ES384'];
const MAX_LAUNCH_JWT_LIFETIME = 3600;
const CLOCK_SKEW = 60;
const FHIR_ID = /^[A-Za-z0-9.-]{1,64}$/;

/**
 * Whether a client may create launch contexts (an EHR): scope `launch` or
 * `admin` registered and usable (trust tiers: the EHR role of an anonymous
 * registrant waits for an administrator's approval).
 */
export function mayLaunch(client: ClientRecord): boolean {
  return mayUseScope(client, 'launch') || mayUseScope(client, 'admin');
}

/**
 * EHR launch contexts: created with POST /launch (an opaque, single-use,
 * short-lived id), or carried in a launch JWT signed by a registered EHR
 * client's key. Either is consumed once, at /authorize.
 */
@Injectable()
export class LaunchService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AuthorizationConfig,
    private readonly directory: ClientDirectory,
  ) {}

  /** `sessionHash`: the session an EHR's signed word opened at the launcher, for this launch (ehr-sign-in.ts). */
  async create(createdBy: string, input: CreateLaunchDto, sessionHash: string | null = null): Promise<{ launch: string; expires_in: number }> {
    const context = contextOf({ ...input, fhirContext: checkFhirContext(input.fhirContext) });
    const binding = launchBindingOf(input, this.config.FHIR_BASE_URL);
    if (binding.client_id !== undefined && !(await this.directory.get(binding.client_id))) throw new InvalidRequest('client_id names no registered client');
    const launch = generateOpaqueToken();
    await this.dataSource.getRepository(LaunchContextEntity).insert({
      idHash: sha256Hex(`opaque:${launch}`),
      createdBy,
      context: context as never,
      boundUser: binding.user ?? null,
      boundFhirUser: binding.fhirUser ?? null,
      boundClientId: binding.client_id ?? null,
      sessionHash,
      expiresAt: new Date(Date.now() + this.config.LAUNCH_TTL_SECONDS * 1000),
      usedAt: null,
    });
    return { launch, expires_in: this.config.LAUNCH_TTL_SECONDS };
  }

  /**
   * Resolves a `launch` value brought by `clientId` and consumes it; unknown, expired or reused values are
   * refused. A launch bound to another client is resolved but not spent (that client's request is refused after
   * sign-in, and the launch stays usable by the client it was made for).
   */
  async consume(launch: string, clientId: string): Promise<ResolvedLaunch> {
    if (launch.split('.').length === 3) return this.consumeJwt(launch, clientId);
    const idHash = sha256Hex(`opaque:${launch}`);
    const rows = returningRows<LaunchRow>(
      await this.dataSource.query(
        `UPDATE launch_context SET used_at = now()
         WHERE id_hash = $1 AND used_at IS NULL AND expires_at > now() AND (bound_client_id IS NULL OR bound_client_id = $2)
         RETURNING ${LAUNCH_COLUMNS}`,
        [idHash, clientId],
      ),
    );
    const row =
      rows[0] ??
      ((await this.dataSource.query(`SELECT ${LAUNCH_COLUMNS} FROM launch_context WHERE id_hash = $1 AND used_at IS NULL AND expires_at > now()`, [idHash])) as LaunchRow[])[0];
    if (!row) throw new InvalidRequest('the launch value is unknown, expired or already used');
    return {
      context: row.context,
      binding: {
        ...(row.bound_user !== null ? { user: row.bound_user } : {}),
        ...(row.bound_fhir_user !== null ? { fhirUser: row.bound_fhir_user } : {}),
        ...(row.bound_client_id !== null ? { client_id: row.bound_client_id } : {}),
      },
      launchedBy: row.created_by,
      ...(row.session_hash !== null ? { sessionHash: row.session_hash } : {}),
    };
  }

  /**
   * A launch JWT (the seed's "JWT created" EHR launch) brought to /authorize:
   * verified ({@link verifyJwt}), then spent, unless it was made for another client.
   */
  private async consumeJwt(launch: string, clientId: string): Promise<ResolvedLaunch> {
    const verified = await this.verifyJwt(launch);
    const { context, binding, ehrClientId } = verified;
    const resolved: ResolvedLaunch = { context, binding, launchedBy: ehrClientId };
    if (binding.client_id !== undefined && binding.client_id !== clientId) {
      // Made for another client: refused after sign-in, not spent (unless it already was).
      const spent = await this.dataSource.query(`SELECT 1 FROM launch_context WHERE id_hash = $1`, [verified.idHash]);
      if ((spent as unknown[]).length > 0) throw new InvalidRequest('the launch JWT was already used');
      return resolved;
    }
    await this.spendJwt(verified);
    return resolved;
  }

  /**
   * The EHR launcher opened with an EHR's own signed context (issue #16): the
   * same launch JWT and the same trust as at /authorize (a registered EHR
   * client approved for `launch`, its inline keys, `aud` this issuer, near
   * `exp`, single-use `jti`: a JWT spent here cannot launch at /authorize and
   * the other way round). It must name the practitioner (`user`, and
   * `fhirUser` if given) and no `client_id` (the practitioner chooses the app).
   */
  async openLauncherJwt(launch: string): Promise<VerifiedLaunchJwt> {
    if (launch.length > 16_384 || launch.split('.').length !== 3) throw new InvalidRequest('launch_jwt is not a JWT');
    const verified = await this.verifyJwt(launch);
    if (verified.binding.user === undefined) throw new InvalidRequest('the launch JWT must name the practitioner (user)');
    if (verified.binding.client_id !== undefined) throw new InvalidRequest('a launcher JWT names no client_id: the practitioner chooses the app');
    await this.spendJwt(verified);
    return verified;
  }

  /**
   * Checks a launch JWT: signed by a registered client holding the `launch`
   * scope, with its inline `jwks`; `aud` this issuer, `exp` near, a `jti`.
   * Context and binding claims as in POST /launch. Does not spend it.
   */
  private async verifyJwt(launch: string): Promise<VerifiedLaunchJwt> {
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(launch);
    } catch {
      throw new InvalidRequest('the launch value is not a valid launch JWT');
    }
    const ehr = typeof unverified.iss === 'string' && unverified.iss.length <= 128 ? await this.directory.get(unverified.iss) : null;
    if (!ehr || !mayLaunch(ehr) || !ehr.metadata.jwks) throw new InvalidRequest('the launch JWT is not from a registered EHR with keys');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(launch, createLocalJWKSet(ehr.metadata.jwks as Parameters<typeof createLocalJWKSet>[0]), {
        issuer: ehr.client_id,
        audience: this.config.ISSUER,
        algorithms: LAUNCH_JWT_ALGS,
        clockTolerance: CLOCK_SKEW,
        requiredClaims: ['exp', 'jti'],
      }));
    } catch {
      throw new InvalidRequest('the launch JWT signature or claims are not valid');
    }
    const now = Math.floor(Date.now() / 1000);
    if (typeof payload.exp !== 'number' || payload.exp > now + MAX_LAUNCH_JWT_LIFETIME) throw new InvalidRequest('the launch JWT lives too long');
    if (typeof payload.jti !== 'string' || payload.jti.length > 256) throw new InvalidRequest('the launch JWT needs a jti');
    if (typeof payload.patient !== 'string' || !FHIR_ID.test(payload.patient)) throw new InvalidRequest('the launch JWT needs a patient');
    // The binding claims (`user`, `fhirUser`, `client_id`) as in POST /launch.
    const binding: LaunchBinding = launchBindingOf({ user: payload.user, fhirUser: payload.fhirUser, client_id: payload.client_id }, this.config.FHIR_BASE_URL);
    const context = contextOf({
      patient: payload.patient,
      ...(typeof payload.encounter === 'string' && FHIR_ID.test(payload.encounter) ? { encounter: payload.encounter } : {}),
      ...(payload.fhirContext !== undefined ? { fhirContext: checkFhirContext(payload.fhirContext) } : {}),
      ...(typeof payload.intent === 'string' ? { intent: payload.intent.slice(0, 256) } : {}),
      ...(typeof payload.need_patient_banner === 'boolean' ? { need_patient_banner: payload.need_patient_banner } : {}),
      ...(typeof payload.smart_style_url === 'string' && /^https?:\/\//.test(payload.smart_style_url) ? { smart_style_url: payload.smart_style_url } : {}),
    });
    return {
      ehrClientId: ehr.client_id,
      context,
      binding,
      idHash: sha256Hex(`jwt:${ehr.client_id}:${payload.jti}`),
      expiresAt: new Date((payload.exp + CLOCK_SKEW) * 1000),
      ...(typeof payload.auth_time === 'number' && Number.isFinite(payload.auth_time) ? { authTime: payload.auth_time } : {}),
    };
  }

  /** Single use: the jti is remembered until the JWT expires (plus skew); a second use is refused. */
  private async spendJwt(verified: VerifiedLaunchJwt): Promise<void> {
    const { idHash, ehrClientId, context, binding, expiresAt } = verified;
    const inserted = returningRows<{ id_hash: string }>(
      await this.dataSource.query(
        `INSERT INTO launch_context (id_hash, created_by, context, bound_user, bound_fhir_user, bound_client_id, expires_at, used_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, now())
         ON CONFLICT (id_hash) DO NOTHING RETURNING id_hash`,
        [idHash, ehrClientId, JSON.stringify(context), binding.user ?? null, binding.fhirUser ?? null, binding.client_id ?? null, expiresAt],
      ),
    );
    if (inserted.length === 0) throw new InvalidRequest('the launch JWT was already used');
  }

  /** For the janitor: a launch (and a launch JWT's single-use `jti`) is kept a day past its expiry. */
  expiredRows(): ExpiringRows {
    return { table: 'launch_context', key: 'id_hash', pastHorizon: `expires_at < now() - interval '1 day'` };
  }
}

/** A launch JWT whose signature and claims were checked. */
export interface VerifiedLaunchJwt {
  /** The EHR client that signed it. */
  ehrClientId: string;
  context: LaunchContext;
  binding: LaunchBinding;
  /** Its single-use key in launch_context (`jwt:<iss>:<jti>`). */
  idHash: string;
  expiresAt: Date;
  /** When the EHR says the practitioner signed in (`auth_time`, seconds since the epoch), if it says. */
  authTime?: number;
}

/** A launch_context row as the resolution reads it. */
interface LaunchRow {
  context: LaunchContext;
  created_by: string;
  bound_user: string | null;
  bound_fhir_user: string | null;
  bound_client_id: string | null;
  session_hash: string | null;
}

const LAUNCH_COLUMNS = 'context, created_by, bound_user, bound_fhir_user, bound_client_id, session_hash';

function contextOf(input: LaunchContext): LaunchContext {
  const out: LaunchContext = {};
  if (input.patient) out.patient = input.patient;
  if (input.encounter) out.encounter = input.encounter;
  if (input.fhirContext?.length) out.fhirContext = input.fhirContext;
  if (input.intent) out.intent = input.intent;
  if (input.need_patient_banner !== undefined) out.need_patient_banner = input.need_patient_banner;
  if (input.smart_style_url) out.smart_style_url = input.smart_style_url;
  return out;
}
