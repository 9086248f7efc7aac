import { Column, Entity } from 'typeorm';
import type { ClientApprovalStatus, ClientMetadata, ClientPrivileges, ClientTrust } from '#contracts';
import { ClientIdColumn, EpochSecondsColumn, Sha256Column, TimestampColumn } from '#nest';

/** Owner of the bootstrap administrator client (ADMIN_CLIENT_ID). */
export const ADMIN_MANAGER = 'admin';

/** Owner of the clients declared in CLIENTS_FILE. */
export const CLIENTS_FILE_MANAGER = 'clients-file';

/** A registered client. Secrets (client secret, registration access token) only as SHA-256 hashes. */
@Entity({ name: 'client' })
export class ClientEntity {
  @ClientIdColumn({ primary: true })
  clientId: string;

  @Column({ type: 'jsonb' })
  metadata: ClientMetadata;

  @Column({ type: 'char', length: 64, nullable: true })
  clientSecretHash: string | null;

  @EpochSecondsColumn({ default: 0 })
  clientSecretExpiresAt: number;

  @Column({ type: 'char', length: 64 })
  registrationTokenHash: string;

  @EpochSecondsColumn()
  clientIdIssuedAt: number;

  @Column({ type: 'int' })
  revision: number;

  /** Managed by configuration (the admin bootstrap), not through /register. */
  @Column({ type: 'boolean', default: false })
  managed: boolean;

  /** Which configuration owns a managed client: {@link ADMIN_MANAGER} or {@link CLIENTS_FILE_MANAGER}; null when registered through /register. */
  @Column({ type: 'varchar', length: 32, nullable: true })
  managedBy: string | null;

  /** How the client came to hold its privileges (its trust tier). */
  @Column({ type: 'varchar', length: 32, default: 'anonymous' })
  trust: ClientTrust;

  /** The trusted issuer whose software statement vouched for the client (RFC 7591 §2.3), when one did. */
  @Column({ type: 'varchar', length: 512, nullable: true })
  softwareStatementIssuer: string | null;

  /** Privileges an administrator, an initial access token or a software statement approved. */
  @Column({ type: 'jsonb' })
  approvedPrivileges: ClientPrivileges;

  /** Privileges an administrator refused. */
  @Column({ type: 'jsonb' })
  rejectedPrivileges: ClientPrivileges;

  /** `pending` while a privilege awaits approval, else `rejected` when one was refused, else `approved`; kept on every write (for listing). */
  @Column({ type: 'varchar', length: 16, default: 'approved' })
  approvalStatus: ClientApprovalStatus;

  /** When an administrator disabled the client (refused everywhere, its grants kept); null while enabled. */
  @TimestampColumn({ nullable: true })
  disabledAt: Date | null;

  /** UDAP (issue #17): the software statement's `iss`, a SAN URI of the client's certificate; null unless registered through UDAP. */
  @Column({ type: 'varchar', length: 1024, nullable: true })
  udapIssuer?: string | null;

  /** UDAP: SHA-256 of the trust anchor (community) the certificate chained to. */
  @Sha256Column({ nullable: true })
  udapAnchorSha256?: string | null;

  /** UDAP: the community's URI, when UDAP_COMMUNITIES_FILE names one. */
  @Column({ type: 'varchar', length: 1024, nullable: true })
  udapCommunity?: string | null;

  /** UDAP: SHA-256 of the certificate that registered or last modified the registration. */
  @Sha256Column({ nullable: true })
  udapCertificateSha256?: string | null;

  /** UDAP: that certificate's public key (JWK). */
  @Column({ type: 'jsonb', nullable: true })
  udapPublicKey?: Record<string, unknown> | null;

  @TimestampColumn({ defaultNow: true })
  createdAt: Date;

  @TimestampColumn({ defaultNow: true })
  updatedAt: Date;
}
