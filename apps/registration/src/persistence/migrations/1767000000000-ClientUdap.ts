import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * UDAP trusted dynamic registration (issue #17): who a UDAP-registered
 * client is. Its software statement's `iss` (a SAN URI of its certificate)
 * under the trust anchor its certificate chained to is the registration
 * (UDAP Security 2.0 §3.4: a later statement with the same `iss` in the same
 * community modifies it, never one of another community), hence the unique
 * index. The certificate that registered it (thumbprint and public key) is
 * kept for UDAP client authentication. NULL for every other client.
 */
export class ClientUdap1767000000000 implements MigrationInterface {
  name = 'ClientUdap1767000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE client ADD COLUMN udap_issuer varchar(1024) NULL`);
    await q.query(`ALTER TABLE client ADD COLUMN udap_anchor_sha256 varchar(64) NULL`);
    await q.query(`ALTER TABLE client ADD COLUMN udap_community varchar(1024) NULL`);
    await q.query(`ALTER TABLE client ADD COLUMN udap_certificate_sha256 varchar(64) NULL`);
    await q.query(`ALTER TABLE client ADD COLUMN udap_public_key jsonb NULL`);
    await q.query(`CREATE UNIQUE INDEX client_udap_identity_idx ON client (udap_anchor_sha256, udap_issuer) WHERE udap_issuer IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX client_udap_identity_idx`);
    await q.query(`ALTER TABLE client DROP COLUMN udap_public_key, DROP COLUMN udap_certificate_sha256, DROP COLUMN udap_community, DROP COLUMN udap_anchor_sha256, DROP COLUMN udap_issuer`);
  }
}
