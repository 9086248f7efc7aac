import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ClientApprovalStatus, ClientMetadata, ClientPrivileges, ClientTrust } from '#contracts';

/** Owner of the bootstrap administrator client (ADMIN_CLIENT_ID). */
export const ADMIN_MANAGER = 'admin';

/** Owner of the clients declared in CLIENTS_FILE. */
export const CLIENTS_FILE_MANAGER = 'clients-file';

/** A registered client. Secrets (client secret, registration access token) only as SHA-256 hashes. */
@Entity({ name: 'client' })
export class ClientEntity {
  @PrimaryColumn({ name: 'client_id', type: 'varchar', length: 128 })
  clientId: string;

  @Column({ type: 'jsonb' })
  metadata: ClientMetadata;

  @Column({ name: 'client_secret_hash', type: 'char', length: 64, nullable: true })
  clientSecretHash: string | null;

  @Column({ name: 'client_secret_expires_at', type: 'bigint', default: 0, transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  clientSecretExpiresAt: number;

  @Column({ name: 'registration_token_hash', type: 'char', length: 64 })
  registrationTokenHash: string;

  @Column({ name: 'client_id_issued_at', type: 'bigint', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  clientIdIssuedAt: number;

  @Column({ type: 'int' })
  revision: number;

  /** Managed by configuration (the admin bootstrap), not through /register. */
  @Column({ type: 'boolean', default: false })
  managed: boolean;

  /** Which configuration owns a managed client: {@link ADMIN_MANAGER} or {@link CLIENTS_FILE_MANAGER}; null when registered through /register. */
  @Column({ name: 'managed_by', type: 'varchar', length: 32, nullable: true })
  managedBy: string | null;

  /** How the client came to hold its privileges (its trust tier). */
  @Column({ type: 'varchar', length: 32, default: 'anonymous' })
  trust: ClientTrust;

  /** The trusted issuer whose software statement vouched for the client (RFC 7591 §2.3), when one did. */
  @Column({ name: 'software_statement_issuer', type: 'varchar', length: 512, nullable: true })
  softwareStatementIssuer: string | null;

  /** Privileges an administrator, an initial access token or a software statement approved. */
  @Column({ name: 'approved_privileges', type: 'jsonb' })
  approvedPrivileges: ClientPrivileges;

  /** Privileges an administrator refused. */
  @Column({ name: 'rejected_privileges', type: 'jsonb' })
  rejectedPrivileges: ClientPrivileges;

  /** `pending` while a privilege awaits approval, else `rejected` when one was refused, else `approved`; kept on every write (for listing). */
  @Column({ name: 'approval_status', type: 'varchar', length: 16, default: 'approved' })
  approvalStatus: ClientApprovalStatus;

  /** When an administrator disabled the client (refused everywhere, its grants kept); null while enabled. */
  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true })
  disabledAt: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
