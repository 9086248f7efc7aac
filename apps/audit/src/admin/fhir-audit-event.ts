import type { EventEnvelope } from '#contracts';

/** A FHIR R4 AuditEvent (the members we fill). */
export interface FhirAuditEvent {
  resourceType: 'AuditEvent';
  id: string;
  type: { system: string; code: string; display: string };
  subtype: Array<{ system: string; code: string; display?: string }>;
  action: 'C' | 'R' | 'U' | 'D' | 'E';
  recorded: string;
  outcome: '0' | '4' | '8';
  outcomeDesc?: string;
  agent: Array<{ type?: { coding: Array<{ system: string; code: string; display: string }> }; who: { identifier: { system?: string; value: string } }; requestor: boolean; network?: { address: string; type: '2' } }>;
  source: { site?: string; observer: { display: string }; type: Array<{ system: string; code: string; display: string }> };
  entity?: Array<{ what: { reference?: string; identifier?: { system?: string; value: string } }; type?: { system: string; code: string; display: string }; description?: string }>;
  purposeOfEvent?: Array<{ coding: Array<{ system: string; code: string }> } | { text: string }>;
}

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const SUITE_EVENT_TYPES = 'urn:smart-auth-suite:event-type';
const PARTICIPATION = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';

/** DICOM event type per event family (DICOM PS3.16 CID 400). */
function typeOf(type: string): FhirAuditEvent['type'] {
  if (type.startsWith('login.')) return { system: DCM, code: '110114', display: 'User Authentication' };
  if (type === 'grant.revoked' || type === 'token.revoked' || type === 'refresh_token.reused' || type === 'launch.refused') return { system: DCM, code: '110113', display: 'Security Alert' };
  if (type.startsWith('key.')) return { system: DCM, code: '110113', display: 'Security Alert' };
  return { system: DCM, code: '110100', display: 'Application Activity' };
}

function actionOf(type: string): FhirAuditEvent['action'] {
  if (/\.(registered|created|issued|granted|activated|refreshed)$/.test(type)) return 'C';
  if (/\.(updated|rotated)$/.test(type)) return 'U';
  if (/\.(deleted|revoked)$/.test(type)) return 'D';
  return 'E';
}

function outcomeOf(type: string, data: Record<string, unknown>): Pick<FhirAuditEvent, 'outcome' | 'outcomeDesc'> {
  if (type === 'login.failed') return { outcome: '4', outcomeDesc: String(data.reason ?? 'failed') };
  if (type === 'consent.denied') return { outcome: '4', outcomeDesc: 'the person denied the request' };
  if (type === 'launch.refused') return { outcome: '4', outcomeDesc: `EHR launch refused: ${String(data.reason ?? 'refused')}` };
  if (type === 'refresh_token.reused') return { outcome: '8', outcomeDesc: 'a rotated refresh token was presented again; the grant is revoked' };
  if (type === 'grant.revoked' && (data.reason === 'refresh_token_reuse' || data.reason === 'code_replay')) return { outcome: '8', outcomeDesc: `revoked: ${String(data.reason)}` };
  return { outcome: '0' };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * The purposes of use a UDAP client asserted for its token (`authorization_extensions.purpose_of_use`,
 * UDAP Security 2.0 §5.2.1.1): a coding when written `<code system URI>#<code>` (§5.2.1.3's preferred
 * form, e.g. `urn:oid:2.16.840.1.113883.5.8#TREAT`), its text otherwise.
 */
function purposesOf(data: Record<string, unknown>): FhirAuditEvent['purposeOfEvent'] {
  const asserted = (data.authorization_extensions as { purpose_of_use?: unknown } | undefined)?.purpose_of_use;
  const purposes = Array.isArray(asserted) ? asserted.filter((p): p is string => str(p) !== undefined) : [];
  return purposes.map((purpose) => {
    const hash = purpose.lastIndexOf('#');
    return hash > 0 && hash < purpose.length - 1 ? { coding: [{ system: purpose.slice(0, hash), code: purpose.slice(hash + 1) }] } : { text: purpose };
  });
}

/**
 * One stored event as a FHIR R4 AuditEvent, so a hospital can feed the trail
 * to its FHIR audit repository: DICOM event type, the suite's event type as
 * subtype, the person and the client as agents, the patient and the grant or
 * token as entities, a UDAP client's asserted purposes of use as
 * `purposeOfEvent`. `issuer` names the client and user identifier systems.
 */
export function toFhirAuditEvent(event: EventEnvelope, issuer: string): FhirAuditEvent {
  const data = event.data as unknown as Record<string, unknown>;
  const agents: FhirAuditEvent['agent'] = [];
  const user = str(data.user_id) ?? (str(data.sub) !== str(data.client_id) ? str(data.sub) : undefined);
  if (user) {
    agents.push({
      type: { coding: [{ system: PARTICIPATION, code: 'IRCP', display: 'information recipient' }] },
      who: { identifier: { system: `${issuer}/users`, value: user } },
      requestor: true,
      ...(str(data.remote_address) ? { network: { address: str(data.remote_address)!, type: '2' as const } } : {}),
    });
  }
  const client = str(data.client_id);
  if (client) {
    agents.push({
      type: { coding: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110150', display: 'Application' }] },
      who: { identifier: { system: `${issuer}/clients`, value: client } },
      requestor: !user,
    });
  }
  if (agents.length === 0) agents.push({ who: { identifier: { value: event.source } }, requestor: true });

  const entities: NonNullable<FhirAuditEvent['entity']> = [];
  const patient = str(data.patient);
  if (patient) entities.push({ what: { reference: `Patient/${patient}` }, type: { system: OBJECT_ROLE, code: '1', display: 'Person' } });
  const grant = str(data.grant_id);
  if (grant) entities.push({ what: { identifier: { system: `${issuer}/grants`, value: grant } }, type: { system: OBJECT_ROLE, code: '2', display: 'System Object' }, description: 'grant' });
  const jti = str(data.jti);
  if (jti) entities.push({ what: { identifier: { system: `${issuer}/tokens`, value: jti } }, type: { system: OBJECT_ROLE, code: '2', display: 'System Object' }, description: 'token' });
  const scope = str(data.granted_scope) ?? str(data.scope);
  if (scope && entities.length > 0) entities[entities.length - 1]!.description = `${entities[entities.length - 1]!.description ?? 'patient'}; scope: ${scope}`;

  const purposes = purposesOf(data);
  return {
    resourceType: 'AuditEvent',
    id: event.id,
    type: typeOf(event.type),
    subtype: [{ system: SUITE_EVENT_TYPES, code: event.type }],
    action: actionOf(event.type),
    recorded: new Date(event.occurred_at).toISOString(),
    ...outcomeOf(event.type, data),
    agent: agents,
    source: {
      site: issuer,
      observer: { display: `smart-auth-suite/${event.source}` },
      type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4', display: 'Application Server' }],
    },
    ...(entities.length > 0 ? { entity: entities } : {}),
    ...(purposes?.length ? { purposeOfEvent: purposes } : {}),
  };
}
