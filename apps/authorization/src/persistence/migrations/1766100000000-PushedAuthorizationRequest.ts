import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Pushed authorization requests (RFC 9126, issue #18): in the database so that any replica serves the
 * `/authorize` that follows a push. A new table, so replicas of the previous release are not affected.
 */
export class PushedAuthorizationRequest1766100000000 implements MigrationInterface {
  name = 'PushedAuthorizationRequest1766100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE IF NOT EXISTS pushed_authorization_request (
      id_hash varchar(64) PRIMARY KEY,
      client_id varchar(128) NOT NULL,
      params jsonb NOT NULL,
      launch jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX IF NOT EXISTS pushed_authorization_request_expires_idx ON pushed_authorization_request (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE pushed_authorization_request`);
  }
}
