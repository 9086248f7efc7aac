import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createLocalJWKSet, decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import type { DataSource } from 'typeorm';
import type { ClientRecord, LaunchContext } from '#contracts';
import { ClientDirectory } from '#nest';
import { generateOpaqueToken, InvalidRequest, mayUseScope, sha256Hex } from '#oauth';
import { AuthorizationConfig } from '../config/authorization.config.js';
import { LaunchContextEntity } from '../persistence/entities/launch-context.entity.js';
import { returningRows } from '../persistence/returning.js';
import { checkFhirContext } from './fhir-context.js';
import type { CreateLaunchDto } from './launch-context.dto.js';

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

  async create(createdBy: string, input: CreateLaunchDto): Promise<{ launch: string; expires_in: number }> {
    const context = contextOf({ ...input, fhirContext: checkFhirContext(input.fhirContext) });
    const launch = generateOpaqueToken();
    await this.dataSource.getRepository(LaunchContextEntity).insert({
      idHash: sha256Hex(`opaque:${launch}`),
      createdBy,
      context: context as never,
      expiresAt: new Date(Date.now() + this.config.LAUNCH_TTL_SECONDS * 1000),
      usedAt: null,
    });
    return { launch, expires_in: this.config.LAUNCH_TTL_SECONDS };
  }

  /** Resolves and consumes a `launch` value; unknown, expired or reused values are refused. */
  async consume(launch: string): Promise<LaunchContext> {
    if (launch.split('.').length === 3) return this.consumeJwt(launch);
    const rows = returningRows<{ context: LaunchContext }>(
      await this.dataSource.query(
        `UPDATE launch_context SET used_at = now() WHERE id_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING context`,
        [sha256Hex(`opaque:${launch}`)],
      ),
    );
    if (!rows[0]) throw new InvalidRequest('the launch value is unknown, expired or already used');
    return rows[0].context;
  }

  /**
   * A launch JWT (the seed's "JWT created" EHR launch): signed by a registered
   * client holding the `launch` scope, with its inline `jwks`; `aud` is this
   * issuer, `exp` near, `jti` single use. Context claims as in POST /launch.
   */
  private async consumeJwt(launch: string): Promise<LaunchContext> {
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
    const context = contextOf({
      patient: payload.patient,
      ...(typeof payload.encounter === 'string' && FHIR_ID.test(payload.encounter) ? { encounter: payload.encounter } : {}),
      ...(payload.fhirContext !== undefined ? { fhirContext: checkFhirContext(payload.fhirContext) } : {}),
      ...(typeof payload.intent === 'string' ? { intent: payload.intent.slice(0, 256) } : {}),
      ...(typeof payload.need_patient_banner === 'boolean' ? { need_patient_banner: payload.need_patient_banner } : {}),
      ...(typeof payload.smart_style_url === 'string' && /^https?:\/\//.test(payload.smart_style_url) ? { smart_style_url: payload.smart_style_url } : {}),
    });
    // Single use: the jti is remembered until the JWT expires (plus skew).
    const inserted = returningRows<{ id_hash: string }>(
      await this.dataSource.query(
        `INSERT INTO launch_context (id_hash, created_by, context, expires_at, used_at) VALUES ($1, $2, $3, $4, now())
         ON CONFLICT (id_hash) DO NOTHING RETURNING id_hash`,
        [sha256Hex(`jwt:${ehr.client_id}:${payload.jti}`), ehr.client_id, JSON.stringify(context), new Date((payload.exp + CLOCK_SKEW) * 1000)],
      ),
    );
    if (inserted.length === 0) throw new InvalidRequest('the launch JWT was already used');
    return context;
  }

  async purgeExpired(): Promise<void> {
    await this.dataSource.query(`DELETE FROM launch_context WHERE expires_at < now() - interval '1 day'`);
  }
}

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
