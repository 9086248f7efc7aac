import { InvalidRequest } from '#oauth';

const REFERENCE = /^[A-Z][A-Za-z]{0,63}\/[A-Za-z0-9.-]{1,64}$/;

/**
 * SMART App Launch 2.x `fhirContext` items: each has exactly one of
 * `reference` (relative `Type/id`), `canonical` or `identifier`, plus
 * optional `type` and `role`. Anything else is refused.
 */
export function checkFhirContext(items: Array<Record<string, unknown>> | undefined): Array<Record<string, unknown>> | undefined {
  if (items === undefined) return undefined;
  return items.map((item, i) => {
    const kinds = ['reference', 'canonical', 'identifier'].filter((k) => item[k] !== undefined);
    if (kinds.length !== 1) throw new InvalidRequest(`fhirContext[${i}] needs exactly one of reference, canonical or identifier`);
    const out: Record<string, unknown> = {};
    if (item.reference !== undefined) {
      if (typeof item.reference !== 'string' || !REFERENCE.test(item.reference)) throw new InvalidRequest(`fhirContext[${i}].reference must be a relative reference like Observation/123`);
      out.reference = item.reference;
    }
    if (item.canonical !== undefined) {
      if (typeof item.canonical !== 'string' || item.canonical.length > 2048) throw new InvalidRequest(`fhirContext[${i}].canonical must be a canonical URL`);
      out.canonical = item.canonical;
    }
    if (item.identifier !== undefined) {
      const id = item.identifier as Record<string, unknown>;
      if (typeof id !== 'object' || id === null || typeof id.value !== 'string') throw new InvalidRequest(`fhirContext[${i}].identifier must be an Identifier with a value`);
      out.identifier = { ...(typeof id.system === 'string' ? { system: id.system } : {}), value: id.value };
    }
    for (const name of ['type', 'role'] as const) {
      if (item[name] === undefined) continue;
      if (typeof item[name] !== 'string' || (item[name] as string).length > 2048) throw new InvalidRequest(`fhirContext[${i}].${name} must be a string`);
      out[name] = item[name];
    }
    return out;
  });
}
