import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The clients each user allows to use the JWT bearer grant on their behalf (RFC 7523 §2.1). */
export class CreateJwtBearerSubject1764400000000 implements MigrationInterface {
  name = 'CreateJwtBearerSubject1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE jwt_bearer_subject (
      user_id varchar(64) NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
      client_id varchar(128) NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, client_id)
    )`);
    await q.query(`CREATE INDEX jwt_bearer_subject_client_idx ON jwt_bearer_subject (client_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE jwt_bearer_subject`);
  }
}
