import type { ClientApprovalStatus, ClientMetadata, ClientPrivileges, ClientTrust } from '#contracts';
import { commonPrivileges, hasPrivileges, privilegesOf, splitByCoverage, unionPrivileges, withoutPrivileges } from '#oauth';
import type { ClientEntity } from '../persistence/entities/client.entity.js';

/**
 * Trust tiers (issue #13) as stored with a client: which of the privileges
 * its metadata asks for (client-privileges.ts) were approved, refused, or
 * still wait for an administrator. Pure: no storage, no clock.
 */

/** What vouches for a registration's privileges. */
export interface Vouch {
  trust: ClientTrust;
  /** The privileges vouched for (`all`: every one the metadata asks for). */
  privileges: ClientPrivileges | 'all';
  softwareStatementIssuer?: string;
}

/** Nobody vouches: every privilege waits for an administrator. */
export const ANONYMOUS: Vouch = Object.freeze({ trust: 'anonymous', privileges: Object.freeze({ scope: [], grant_types: [] }) }) as Vouch;

/** Clients declared in configuration (CLIENTS_FILE, the bootstrap administrator) are trusted as configured. */
export const CONFIGURATION: Vouch = Object.freeze({ trust: 'configuration', privileges: 'all' }) as Vouch;

export type PrivilegeFields = Pick<ClientEntity, 'trust' | 'softwareStatementIssuer' | 'approvedPrivileges' | 'rejectedPrivileges' | 'approvalStatus'>;

const NONE: ClientPrivileges = Object.freeze({ scope: [], grant_types: [] }) as ClientPrivileges;

/** Withheld privileges of a client: pending approval, or refused. */
export interface Withheld {
  pending: ClientPrivileges;
  rejected: ClientPrivileges;
}

/**
 * The privilege columns for `metadata` as registered (no `previous`) or as
 * an RFC 7592 update of `previous`: an update keeps what was approved only as
 * far as it covers what is asked now, so it can never add a privilege
 * without a new approval; a refused privilege asked for again stays refused.
 */
export function privilegeFields(metadata: ClientMetadata, vouch: Vouch, previous?: PrivilegeFields): PrivilegeFields {
  const requested = privilegesOf(metadata);
  if (vouch.trust === 'configuration') {
    return { trust: 'configuration', softwareStatementIssuer: null, approvedPrivileges: requested, rejectedPrivileges: copy(NONE), approvalStatus: 'approved' };
  }
  const rejected = previous ? commonPrivileges(requested, previous.rejectedPrivileges) : copy(NONE);
  const candidates = withoutPrivileges(requested, rejected);
  // What an earlier approval covers of what is asked now, and the approved entries that what is asked now still
  // covers (a widened scope waits for approval; narrowing back to the approved one needs none).
  const keptApproval = previous
    ? unionPrivileges(splitByCoverage(candidates, previous.approvedPrivileges).covered, splitByCoverage(previous.approvedPrivileges, candidates).covered)
    : copy(NONE);
  const approved = unionPrivileges(keptApproval, splitByCoverage(candidates, vouch.privileges).covered);
  const fields = {
    trust: vouch.trust !== 'anonymous' ? vouch.trust : (previous?.trust ?? 'anonymous'),
    softwareStatementIssuer: vouch.softwareStatementIssuer ?? previous?.softwareStatementIssuer ?? null,
    approvedPrivileges: approved,
    rejectedPrivileges: rejected,
  };
  return { ...fields, approvalStatus: approvalStatusOf(withheldOf(metadata, fields)) };
}

/** The client's privileges that may not be used, and why. */
export function withheldPrivileges(client: Pick<ClientEntity, 'metadata' | 'managed' | 'trust' | 'approvedPrivileges' | 'rejectedPrivileges'>): Withheld {
  if (client.managed || client.trust === 'configuration') return { pending: copy(NONE), rejected: copy(NONE) };
  return withheldOf(client.metadata, client);
}

function withheldOf(metadata: ClientMetadata, fields: Pick<ClientEntity, 'approvedPrivileges' | 'rejectedPrivileges'>): Withheld {
  const requested = privilegesOf(metadata);
  const rejected = commonPrivileges(requested, fields.rejectedPrivileges ?? NONE);
  const pending = splitByCoverage(withoutPrivileges(requested, rejected), fields.approvedPrivileges ?? NONE).uncovered;
  return { pending, rejected };
}

export function approvalStatusOf(withheld: Withheld): ClientApprovalStatus {
  if (hasPrivileges(withheld.pending)) return 'pending';
  return hasPrivileges(withheld.rejected) ? 'rejected' : 'approved';
}

/**
 * An administrator's decision on pending privileges: `chosen` (default all
 * pending) must all be pending; approving adds them to the approved ones,
 * rejecting to the refused ones.
 */
export function decidePending(client: ClientEntity, decision: 'approve' | 'reject', chosen: ClientPrivileges | 'all'): { fields: PrivilegeFields; decided: ClientPrivileges } | { notPending: string } {
  const { pending } = withheldPrivileges(client);
  const decided = chosen === 'all' ? pending : chosen;
  const stray = [...withoutPrivileges(decided, pending).scope, ...withoutPrivileges(decided, pending).grant_types][0];
  if (stray !== undefined) return { notPending: stray };
  const approvedPrivileges = decision === 'approve' ? unionPrivileges(client.approvedPrivileges, decided) : client.approvedPrivileges;
  const rejectedPrivileges = decision === 'reject' ? unionPrivileges(client.rejectedPrivileges, decided) : client.rejectedPrivileges;
  const fields = { trust: client.trust, softwareStatementIssuer: client.softwareStatementIssuer, approvedPrivileges, rejectedPrivileges };
  return { fields: { ...fields, approvalStatus: approvalStatusOf(withheldOf(client.metadata, fields)) }, decided };
}

function copy(p: ClientPrivileges): ClientPrivileges {
  return { scope: [...p.scope], grant_types: [...p.grant_types] };
}
