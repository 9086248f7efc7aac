import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { LaunchContext } from '#contracts';
import { generateOpaqueToken, sha256Hex } from '#oauth';
import { AuthorizationConfig } from '../config/authorization.config.js';
import { LaunchContextEntity } from '../persistence/entities/launch-context.entity.js';

/** What a launcher page was opened for, once the practitioner and their right to the patient were checked. */
export interface LauncherVisit {
  /** Local id of the practitioner. */
  userId: string;
  patient: string;
  encounter?: string;
  /** {@link SIGNED_IN_LAUNCHER}, or the EHR client whose signed launch JWT opened it. */
  launchedBy: string;
  /** The session that EHR's word opened for the practitioner (ehr-sign-in.ts), carried to the launches made here. */
  sessionHash?: string;
}

/** `launchedBy` of a launcher opened by its own sign-in (a client id never has a colon). */
export const SIGNED_IN_LAUNCHER = 'launcher:sign-in';

/** What the anti-forgery ticket of a launcher page is stored as (never a launch value: a different hash prefix). */
const ticketHash = (ticket: string) => sha256Hex(`launcher:${ticket}`);
const TICKET = /^[A-Za-z0-9_-]{43}$/;

/**
 * The EHR launcher's page tickets (issue #16). A launcher page is opened by a
 * signed-in practitioner or with an EHR's signed context; both are checked on
 * the GET, which stores what was checked (practitioner, patient, encounter,
 * who opened it) under a fresh 256-bit ticket that the page's forms carry.
 * The POST that launches an app presents the ticket: it stands for that
 * check and is the forms' anti-CSRF token (only the page holds it), and it
 * needs no cookie, so a launcher framed by an EHR on another site works.
 * Kept in `launch_context` under the `launcher:` hash prefix (a launch value
 * is hashed `opaque:` or `jwt:`, so a ticket can never be used as a launch),
 * for INTERACTION_TTL_SECONDS; purged with the expired launches.
 */
@Injectable()
export class LauncherTickets {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AuthorizationConfig,
  ) {}

  async issue(visit: LauncherVisit, fhirUser: string | null): Promise<string> {
    const ticket = generateOpaqueToken();
    const context: LaunchContext = { patient: visit.patient, ...(visit.encounter ? { encounter: visit.encounter } : {}) };
    await this.dataSource.getRepository(LaunchContextEntity).insert({
      idHash: ticketHash(ticket),
      createdBy: visit.launchedBy,
      context: context as never,
      boundUser: visit.userId,
      boundFhirUser: fhirUser,
      boundClientId: null,
      sessionHash: visit.sessionHash ?? null,
      expiresAt: new Date(Date.now() + this.config.INTERACTION_TTL_SECONDS * 1000),
      usedAt: null,
    });
    return ticket;
  }

  /** The visit a live ticket stands for, or null (unknown, malformed or expired). */
  async redeem(ticket: unknown): Promise<LauncherVisit | null> {
    if (typeof ticket !== 'string' || !TICKET.test(ticket)) return null;
    const rows = (await this.dataSource.query(`SELECT context, created_by, bound_user, session_hash FROM launch_context WHERE id_hash = $1 AND used_at IS NULL AND expires_at > now()`, [
      ticketHash(ticket),
    ])) as Array<{ context: LaunchContext; created_by: string; bound_user: string | null; session_hash: string | null }>;
    const row = rows[0];
    if (!row?.bound_user || !row.context.patient) return null;
    return {
      userId: row.bound_user,
      patient: row.context.patient,
      ...(row.context.encounter ? { encounter: row.context.encounter } : {}),
      launchedBy: row.created_by,
      ...(row.session_hash !== null ? { sessionHash: row.session_hash } : {}),
    };
  }
}
