import { InvalidRequest } from '#oauth';

const REFERENCE = /^[A-Z][A-Za-z]{0,63}\/[A-Za-z0-9.-]{1,64}$/;
const RESOURCE_TYPE = /^[A-Z][A-Za-z]{0,63}$/;
/** An absolute URI (RFC 3986 §4.3), no whitespace; canonicals may carry `|version`. */
const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/;
const MEMBERS = new Set(['reference', 'canonical', 'identifier', 'type', 'role']);
const MAX_ITEMS = 50;
const MAX_TEXT = 2048;
/**
 * The context is signed into the access token (so introspection can echo it),
 * and an access token travels in a header: SMART asks to keep tokens small,
 * and introspection refuses tokens over 8 kB. 2 kB of JSON leaves room for the rest.
 */
const MAX_JSON = 2048;

/**
 * SMART App Launch 2.x `fhirContext` items: each has exactly one of
 * `reference` (relative `Type/id`), `canonical` (absolute, optional `|version`)
 * or `identifier` (an Identifier with a value), plus optional `type` (a FHIR
 * resource type) and `role` (`launch` or an absolute URI). Patient and
 * Encounter belong in `patient`/`encounter`: in fhirContext only with a role
 * other than `launch`. Anything else is refused.
 *
 * Items may come from a launch JWT, so nothing about their shape is assumed.
 */
export function checkFhirContext(items: unknown): Array<Record<string, unknown>> | undefined {
  if (items === undefined) return undefined;
  if (!Array.isArray(items)) throw new InvalidRequest('fhirContext must be an array');
  if (items.length > MAX_ITEMS) throw new InvalidRequest(`fhirContext has more than ${MAX_ITEMS} items`);
  const checked = items.map((raw: unknown, i) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InvalidRequest(`fhirContext[${i}] must be an object`);
    const item = raw as Record<string, unknown>;
    const unknown = Object.keys(item).find((k) => !MEMBERS.has(k));
    if (unknown !== undefined) throw new InvalidRequest(`fhirContext[${i}] has an unknown member ${JSON.stringify(unknown.slice(0, 64))}`);
    const kinds = ['reference', 'canonical', 'identifier'].filter((k) => item[k] !== undefined);
    if (kinds.length !== 1) throw new InvalidRequest(`fhirContext[${i}] needs exactly one of reference, canonical or identifier`);
    const out: Record<string, unknown> = {};
    if (item.reference !== undefined) {
      if (typeof item.reference !== 'string' || !REFERENCE.test(item.reference)) throw new InvalidRequest(`fhirContext[${i}].reference must be a relative reference like Observation/123`);
      out.reference = item.reference;
    }
    if (item.canonical !== undefined) {
      if (typeof item.canonical !== 'string' || item.canonical.length > MAX_TEXT || !ABSOLUTE_URI.test(item.canonical)) {
        throw new InvalidRequest(`fhirContext[${i}].canonical must be a canonical URL`);
      }
      out.canonical = item.canonical;
    }
    if (item.identifier !== undefined) {
      const id = item.identifier as Record<string, unknown> | null;
      if (typeof id !== 'object' || id === null || Array.isArray(id) || typeof id.value !== 'string' || id.value === '' || id.value.length > MAX_TEXT) {
        throw new InvalidRequest(`fhirContext[${i}].identifier must be an Identifier with a value`);
      }
      if (id.system !== undefined && (typeof id.system !== 'string' || id.system.length > MAX_TEXT || !ABSOLUTE_URI.test(id.system))) {
        throw new InvalidRequest(`fhirContext[${i}].identifier.system must be a URI`);
      }
      out.identifier = { ...(id.system !== undefined ? { system: id.system } : {}), value: id.value };
    }
    if (item.type !== undefined) {
      if (typeof item.type !== 'string' || !RESOURCE_TYPE.test(item.type)) throw new InvalidRequest(`fhirContext[${i}].type must be a FHIR resource type`);
      out.type = item.type;
    }
    if (item.role !== undefined) {
      // SMART App Launch 2.2 §fhirContext: `launch` or an absolute URI, never "".
      if (typeof item.role !== 'string' || item.role.length > MAX_TEXT || (item.role !== 'launch' && !ABSOLUTE_URI.test(item.role))) {
        throw new InvalidRequest(`fhirContext[${i}].role must be "launch" or an absolute URI`);
      }
      out.role = item.role;
    }
    const type = typeof out.reference === 'string' ? out.reference.split('/')[0] : out.type;
    if ((type === 'Patient' || type === 'Encounter') && (out.role === undefined || out.role === 'launch')) {
      throw new InvalidRequest(`fhirContext[${i}]: the ${type} in context goes in ${type === 'Patient' ? 'patient' : 'encounter'}; fhirContext may name one only with another role`);
    }
    return out;
  });
  if (JSON.stringify(checked).length > MAX_JSON) throw new InvalidRequest(`fhirContext is larger than ${MAX_JSON} characters of JSON`);
  return checked;
}
