/**
 * `client` rows as the registration service writes them: the metadata its
 * RFC 7591 validation returns (`validateRegistration`, run here on one
 * template per kind), the privilege columns its trust tiers compute
 * (`privilegeFields`), the SHA-256 of a client secret (symmetric methods
 * only) and of a registration access token, `client_id_issued_at` in epoch
 * seconds. A client's number goes into its name and URIs; 1 % are disabled.
 */
import { isSymmetric } from '#oauth';
import { ANONYMOUS, privilegeFields, type Vouch } from '../../apps/registration/src/clients/client-trust.js';
import { validateRegistration } from '../../apps/registration/src/clients/registration-policy.js';
import { CLIENT_BLOCK, USER_FACING_PER_BLOCK } from './history-plan.js';
import { written, type SeedContext } from './seed-step.js';

/** Stands for the client's number (7 digits) in a template's name and URIs. */
const NUMBER = '0000000';
const INITIAL_ACCESS_TOKEN: Vouch = { trust: 'initial-access-token', privileges: 'all' };
const APP = {
  redirect_uris: [`https://app${NUMBER}.example.org/callback`],
  grant_types: ['authorization_code', 'refresh_token'],
  client_uri: `https://app${NUMBER}.example.org`,
};

interface ClientKind {
  name: string;
  /** How many of each block of {@link CLIENT_BLOCK} clients are of this kind (in this order). */
  perBlock: number;
  vouch: Vouch;
  registration: Record<string, unknown>;
}

/** The kinds of clients, in the order they take in each block: apps people use first, backends last. */
export const CLIENT_KINDS: readonly ClientKind[] = [
  {
    name: 'patient app',
    perBlock: 10,
    vouch: ANONYMOUS,
    registration: { ...APP, client_name: `Patient App ${NUMBER}`, token_endpoint_auth_method: 'client_secret_basic', scope: 'launch/patient openid fhirUser offline_access patient/*.rs' },
  },
  {
    name: 'public patient app',
    perBlock: 4,
    vouch: ANONYMOUS,
    registration: { ...APP, client_name: `Phone App ${NUMBER}`, token_endpoint_auth_method: 'none', scope: 'launch/patient openid fhirUser offline_access patient/*.rs' },
  },
  {
    name: 'EHR-launched app',
    perBlock: 3,
    vouch: INITIAL_ACCESS_TOKEN,
    registration: {
      ...APP,
      client_name: `Clinical App ${NUMBER}`,
      launch_uri: `https://app${NUMBER}.example.org/launch`,
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'launch openid fhirUser offline_access user/*.rs patient/*.rs',
    },
  },
  {
    name: 'backend service',
    perBlock: 2,
    vouch: INITIAL_ACCESS_TOKEN,
    registration: { client_name: `Backend ${NUMBER}`, grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', scope: 'system/*.rs' },
  },
  {
    name: 'backend service awaiting approval',
    perBlock: 1,
    vouch: ANONYMOUS,
    registration: { client_name: `Backend ${NUMBER}`, grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', scope: 'system/Patient.rs' },
  },
];

/** Position in a block (0-based) of the first EHR-launched app: grants to those are EHR launches by practitioners. */
export const FIRST_EHR_POSITION = 14;

function checkKinds(): void {
  const total = CLIENT_KINDS.reduce((n, k) => n + k.perBlock, 0);
  const userFacing = CLIENT_KINDS.filter((k) => k.registration.grant_types !== undefined && (k.registration.grant_types as string[]).includes('authorization_code'));
  const ehrAt = CLIENT_KINDS.slice(0, CLIENT_KINDS.findIndex((k) => 'launch_uri' in k.registration)).reduce((n, k) => n + k.perBlock, 0);
  if (total !== CLIENT_BLOCK || userFacing.reduce((n, k) => n + k.perBlock, 0) !== USER_FACING_PER_BLOCK || ehrAt !== FIRST_EHR_POSITION) {
    throw new Error('CLIENT_KINDS no longer match CLIENT_BLOCK, USER_FACING_PER_BLOCK and FIRST_EHR_POSITION');
  }
}

/** One row per position of a block: what the registration service stores for a client of that kind. */
function kindRows(): Array<Record<string, unknown>> {
  checkKinds();
  const rows: Array<Record<string, unknown>> = [];
  for (const kind of CLIENT_KINDS) {
    const { metadata } = validateRegistration(kind.registration);
    const fields = privilegeFields(metadata, kind.vouch);
    for (let i = 0; i < kind.perBlock; i++) {
      rows.push({
        position: rows.length,
        metadata: JSON.stringify(metadata),
        has_secret: isSymmetric(metadata.token_endpoint_auth_method),
        trust: fields.trust,
        approved: fields.approvedPrivileges,
        rejected: fields.rejectedPrivileges,
        status: fields.approvalStatus,
      });
    }
  }
  return rows;
}

/** Writes `plan.clients` clients, oldest first. */
export async function seedClients({ db, plan }: SeedContext): Promise<number> {
  await db.query(`CREATE TEMP TABLE history_client_kind (position int PRIMARY KEY, metadata text, has_secret boolean, trust text, approved jsonb, rejected jsonb, status text)`);
  await db.query(
    `INSERT INTO history_client_kind SELECT * FROM jsonb_to_recordset($1::jsonb) AS k(position int, metadata text, has_secret boolean, trust text, approved jsonb, rejected jsonb, status text)`,
    [JSON.stringify(kindRows())],
  );
  const result = await db.query(
    `INSERT INTO client (client_id, metadata, client_secret_hash, client_secret_expires_at, registration_token_hash, client_id_issued_at, revision, managed, managed_by,
                         trust, software_statement_issuer, approved_privileges, rejected_privileges, approval_status, disabled_at, created_at, updated_at)
     SELECT pg_temp.client_id(i), replace(k.metadata, '${NUMBER}', lpad(i::text, 7, '0'))::jsonb,
            CASE WHEN k.has_secret THEN pg_temp.sha256_hex(pg_temp.secret('client-secret', i)) END, 0,
            pg_temp.sha256_hex(pg_temp.secret('registration-token', i)), floor(extract(epoch FROM c.created))::bigint, 1, false, NULL,
            k.trust, NULL, k.approved, k.rejected, k.status, d.disabled_at, c.created, coalesce(d.disabled_at, c.created)
       FROM generate_series(0, $1::bigint - 1) AS i
       JOIN history_client_kind k ON k.position = i % ${CLIENT_BLOCK}
       CROSS JOIN LATERAL (SELECT pg_temp.client_created(i) AS created) c
       CROSS JOIN LATERAL (SELECT CASE WHEN pg_temp.u('client-disabled', i) < 0.01
                                       THEN c.created + ($2::timestamptz - c.created) * pg_temp.u('client-disabled-at', i) END AS disabled_at) d
      ORDER BY i`,
    [plan.clients, plan.now],
  );
  return written(result);
}
