import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Users, sessions, interactions, launch contexts, consents, grants, codes and refresh tokens. */
export class CreateAuthorizationTables1764100000000 implements MigrationInterface {
  name = 'CreateAuthorizationTables1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE app_user (
        id varchar(64) PRIMARY KEY,
        username varchar(128) NOT NULL UNIQUE,
        password_hash varchar(256) NOT NULL,
        display_name varchar(256) NOT NULL,
        fhir_user varchar(256),
        patients jsonb NOT NULL DEFAULT '[]',
        disabled boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE login_session (
        id_hash varchar(64) PRIMARY KEY,
        user_id varchar(64) NOT NULL,
        authenticated_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        ended_at timestamptz
      )`);
    await q.query(`CREATE INDEX login_session_expires_idx ON login_session (expires_at)`);
    await q.query(`
      CREATE TABLE interaction (
        id varchar(64) PRIMARY KEY,
        binding_hash varchar(64) NOT NULL,
        csrf varchar(64) NOT NULL,
        client_id varchar(128) NOT NULL,
        request jsonb NOT NULL,
        user_id varchar(64),
        session_hash varchar(64),
        auth_time timestamptz,
        patient varchar(128),
        launch jsonb,
        expires_at timestamptz NOT NULL,
        completed_at timestamptz
      )`);
    await q.query(`CREATE INDEX interaction_expires_idx ON interaction (expires_at)`);
    await q.query(`
      CREATE TABLE launch_context (
        id_hash varchar(64) PRIMARY KEY,
        created_by varchar(128) NOT NULL,
        context jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`);
    await q.query(`CREATE INDEX launch_context_expires_idx ON launch_context (expires_at)`);
    await q.query(`
      CREATE TABLE consent (
        user_id varchar(64) NOT NULL,
        client_id varchar(128) NOT NULL,
        scope text NOT NULL,
        granted_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, client_id)
      )`);
    await q.query(`
      CREATE TABLE authorization_grant (
        id varchar(64) PRIMARY KEY,
        client_id varchar(128) NOT NULL,
        user_id varchar(64) NOT NULL,
        scope text NOT NULL,
        context jsonb NOT NULL DEFAULT '{}',
        launch varchar(16) NOT NULL,
        session_hash varchar(64),
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        revoke_reason varchar(32)
      )`);
    await q.query(`CREATE INDEX authorization_grant_user_idx ON authorization_grant (user_id, client_id)`);
    await q.query(`CREATE INDEX authorization_grant_client_idx ON authorization_grant (client_id)`);
    await q.query(`
      CREATE TABLE authorization_code (
        code_hash varchar(64) PRIMARY KEY,
        grant_id varchar(64) NOT NULL,
        client_id varchar(128) NOT NULL,
        redirect_uri text NOT NULL,
        redirect_uri_sent boolean NOT NULL,
        code_challenge varchar(128) NOT NULL,
        nonce text,
        auth_time timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        redeemed_at timestamptz
      )`);
    await q.query(`CREATE INDEX authorization_code_expires_idx ON authorization_code (expires_at)`);
    await q.query(`
      CREATE TABLE refresh_token (
        token_hash varchar(64) PRIMARY KEY,
        grant_id varchar(64) NOT NULL,
        client_id varchar(128) NOT NULL,
        scope text NOT NULL,
        auth_time timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`);
    await q.query(`CREATE INDEX refresh_token_grant_idx ON refresh_token (grant_id)`);
    await q.query(`CREATE INDEX refresh_token_expires_idx ON refresh_token (expires_at)`);
    await q.query(`
      CREATE TABLE login_throttle (
        key varchar(200) PRIMARY KEY,
        failures integer NOT NULL,
        window_started_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['login_throttle', 'refresh_token', 'authorization_code', 'authorization_grant', 'consent', 'launch_context', 'interaction', 'login_session', 'app_user']) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
