import { generateOpaqueToken, sha256Hex } from '#oauth';
import { canonicalJson } from '../clients/admin-client.js';
import { CONFIGURATION, privilegeFields } from '../clients/client-trust.js';
import { ClientEntity, CLIENTS_FILE_MANAGER } from '../persistence/entities/client.entity.js';
import type { DeclaredClient } from './clients-file.js';

/** One row to write so the stored clients match the file. */
export type DeclaredClientChange =
  | { kind: 'created'; client: ClientEntity }
  /** `previous` is the stored row; when it was not the file's (a registered client), the file takes it over. */
  | { kind: 'updated'; client: ClientEntity; previous: ClientEntity }
  | { kind: 'deleted'; client: ClientEntity };

/** What reconciling a clients file against the stored clients does. */
export interface DeclaredClientsPlan {
  /** In client_id order. */
  changes: DeclaredClientChange[];
  /** Declared and already stored exactly so: nothing written, no event. */
  unchanged: string[];
  /** Declared by an earlier file, gone from this one, and kept because pruning is off. */
  kept: string[];
}

export interface PlanOptions {
  /** CLIENTS_PRUNE: delete the clients an earlier file declared and this one does not. */
  prune: boolean;
  now: Date;
}

/** Whether a change takes a client over from /register (its registration access token stops working). */
export function isTakeover(change: DeclaredClientChange): boolean {
  return change.kind === 'updated' && change.previous.managedBy !== CLIENTS_FILE_MANAGER;
}

/**
 * Compares the declared clients with `stored` (every row the file declared
 * before, and the rows under the ids it declares now) and says what to
 * write: create what is missing, update what differs (metadata, secret hash,
 * owner), leave the rest alone, and with `prune` delete what an earlier file
 * declared. Clients registered through /register are never deleted; one
 * stored under a declared id is taken over. A client the file writes gets a
 * registration access token nobody knows, so RFC 7592 management never
 * reaches it.
 */
export function planDeclaredClients(declared: readonly DeclaredClient[], stored: readonly ClientEntity[], options: PlanOptions): DeclaredClientsPlan {
  const byId = new Map(stored.map((row) => [row.clientId, row]));
  const declaredIds = new Set(declared.map((c) => c.clientId));
  const plan: DeclaredClientsPlan = { changes: [], unchanged: [], kept: [] };
  for (const wanted of [...declared].sort((a, b) => compare(a.clientId, b.clientId))) {
    const existing = byId.get(wanted.clientId);
    const values = {
      metadata: structuredClone(wanted.metadata),
      clientSecretHash: wanted.clientSecretHash,
      clientSecretExpiresAt: 0,
      managed: true,
      managedBy: CLIENTS_FILE_MANAGER,
      // Declared clients are trusted as configured (trust tiers).
      ...privilegeFields(wanted.metadata, CONFIGURATION),
    };
    if (!existing) {
      const client = Object.assign(new ClientEntity(), values, {
        clientId: wanted.clientId,
        registrationTokenHash: sha256Hex(generateOpaqueToken(32)),
        clientIdIssuedAt: Math.floor(options.now.getTime() / 1000),
        revision: 1,
      });
      plan.changes.push({ kind: 'created', client });
      continue;
    }
    const ours = existing.managed && existing.managedBy === CLIENTS_FILE_MANAGER;
    const same =
      ours &&
      existing.trust === 'configuration' &&
      existing.clientSecretHash === wanted.clientSecretHash &&
      Number(existing.clientSecretExpiresAt) === 0 &&
      canonicalJson(existing.metadata) === canonicalJson(wanted.metadata);
    if (same) {
      plan.unchanged.push(wanted.clientId);
      continue;
    }
    const client = Object.assign(new ClientEntity(), existing, values, {
      // Taken over from /register: the registration access token its registrant holds stops working.
      registrationTokenHash: ours ? existing.registrationTokenHash : sha256Hex(generateOpaqueToken(32)),
      revision: existing.revision + 1,
    });
    plan.changes.push({ kind: 'updated', client, previous: existing });
  }
  const gone = stored
    .filter((row) => row.managed && row.managedBy === CLIENTS_FILE_MANAGER && !declaredIds.has(row.clientId))
    .sort((a, b) => compare(a.clientId, b.clientId));
  for (const row of gone) {
    if (options.prune) plan.changes.push({ kind: 'deleted', client: row });
    else plan.kept.push(row.clientId);
  }
  plan.changes.sort((a, b) => compare(a.client.clientId, b.client.clientId));
  return plan;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
