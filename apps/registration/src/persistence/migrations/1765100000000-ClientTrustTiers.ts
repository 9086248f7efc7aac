import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Trust tiers (issue #13): how a client came to hold its privileges, and
 * which of them an administrator approved or refused. Clients registered
 * before this migration were registered without any check of who they are,
 * so their privileges (`system/…`, `introspect`, `launch`, the JWT bearer
 * grant) await approval afterwards (safe by default; `smart-auth clients
 * pending` lists them). Clients managed by configuration stay trusted.
 */
export class ClientTrustTiers1765100000000 implements MigrationInterface {
  name = 'ClientTrustTiers1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE client ADD COLUMN trust varchar(32) NOT NULL DEFAULT 'anonymous'`);
    await q.query(`ALTER TABLE client ADD COLUMN software_statement_issuer varchar(512) NULL`);
    await q.query(`ALTER TABLE client ADD COLUMN approved_privileges jsonb NOT NULL DEFAULT '{"scope":[],"grant_types":[]}'::jsonb`);
    await q.query(`ALTER TABLE client ADD COLUMN rejected_privileges jsonb NOT NULL DEFAULT '{"scope":[],"grant_types":[]}'::jsonb`);
    await q.query(`ALTER TABLE client ADD COLUMN approval_status varchar(16) NOT NULL DEFAULT 'approved'`);
    await q.query(`UPDATE client SET trust = 'configuration' WHERE managed`);
    // The privileges of client-privileges.ts, found in the stored metadata: system/… scopes, introspect, launch, admin, jwt-bearer.
    await q.query(
      `UPDATE client SET approval_status = 'pending'
        WHERE NOT managed
          AND (metadata->>'scope' ~ '(^| )(system/[^ ]+|introspect|launch|admin)( |$)'
               OR metadata->'grant_types' ? 'urn:ietf:params:oauth:grant-type:jwt-bearer')`,
    );
    await q.query(`CREATE INDEX client_approval_status_idx ON client (approval_status, created_at, client_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE client DROP COLUMN approval_status, DROP COLUMN rejected_privileges, DROP COLUMN approved_privileges, DROP COLUMN software_statement_issuer, DROP COLUMN trust`);
  }
}
