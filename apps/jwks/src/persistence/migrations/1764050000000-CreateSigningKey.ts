import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateSigningKey1764050000000 implements MigrationInterface {
  name = 'CreateSigningKey1764050000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE signing_key (
        kid varchar(64) PRIMARY KEY,
        alg varchar(10) NOT NULL,
        state varchar(10) NOT NULL CHECK (state IN ('next', 'active', 'retired')),
        public_jwk jsonb NOT NULL,
        encrypted_private_jwk text NOT NULL,
        kek_id varchar(16) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        activated_at timestamptz NULL,
        retired_at timestamptz NULL
      )`);
    await q.query(`CREATE INDEX signing_key_state_idx ON signing_key (state, alg)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE signing_key`);
  }
}
