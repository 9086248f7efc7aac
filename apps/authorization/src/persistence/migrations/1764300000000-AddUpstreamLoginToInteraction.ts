import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The pending upstream OpenID Connect login of an interaction: hashed state, PKCE verifier and nonce. */
export class AddUpstreamLoginToInteraction1764300000000 implements MigrationInterface {
  name = 'AddUpstreamLoginToInteraction1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE interaction ADD COLUMN upstream_state_hash varchar(64), ADD COLUMN upstream_code_verifier varchar(128), ADD COLUMN upstream_nonce varchar(128)`);
    await q.query(`CREATE UNIQUE INDEX interaction_upstream_state_idx ON interaction (upstream_state_hash)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX interaction_upstream_state_idx`);
    await q.query(`ALTER TABLE interaction DROP COLUMN upstream_nonce, DROP COLUMN upstream_code_verifier, DROP COLUMN upstream_state_hash`);
  }
}
