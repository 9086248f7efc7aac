import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Registration access tokens are kept only as SHA-256 hashes again: every
 * RFC 7592 call presents the token, so the service never needs to recover it
 * (the presented token is the current one once its hash matched). Dropping
 * the column destroys the encrypted copies; the tokens themselves stay valid.
 */
export class DropRegistrationTokenEnvelope1764070000000 implements MigrationInterface {
  name = 'DropRegistrationTokenEnvelope1764070000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE client DROP COLUMN IF EXISTS registration_token_encrypted`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE client ADD COLUMN IF NOT EXISTS registration_token_encrypted text NULL`);
  }
}
