import { ScopeSet, SmartScope } from '#oauth';

/**
 * Category sub-scopes offered on the consent page in place of a whole
 * resource type (SMART App Launch 2.2 §"Finer-grained resource constraints
 * using search parameters": a server may grant a narrower scope than the one
 * requested, and an app asking for `patient/Observation.rs` may get
 * `patient/Observation.rs?category=…|laboratory`). The categories are the
 * US Core ones the ONC (g)(10) "granular scope selection" test expects for
 * Condition and Observation, plus the US Core categories of
 * DiagnosticReport and DocumentReference.
 */
const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const CONDITION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/condition-category';
const US_CORE_CONDITION_CATEGORY = 'http://hl7.org/fhir/us/core/CodeSystem/condition-category';
const US_CORE_CATEGORY = 'http://hl7.org/fhir/us/core/CodeSystem/us-core-category';

const CATEGORIES: Readonly<Record<string, readonly string[]>> = {
  Condition: [`${CONDITION_CATEGORY}|problem-list-item`, `${CONDITION_CATEGORY}|encounter-diagnosis`, `${US_CORE_CONDITION_CATEGORY}|health-concern`],
  Observation: [
    `${OBSERVATION_CATEGORY}|laboratory`,
    `${OBSERVATION_CATEGORY}|vital-signs`,
    `${OBSERVATION_CATEGORY}|social-history`,
    `${OBSERVATION_CATEGORY}|survey`,
    `${OBSERVATION_CATEGORY}|imaging`,
    `${OBSERVATION_CATEGORY}|procedure`,
    `${US_CORE_CATEGORY}|sdoh`,
  ],
  DiagnosticReport: ['http://terminology.hl7.org/CodeSystem/v2-0074|LAB', 'http://loinc.org|LP29684-5', 'http://loinc.org|LP29708-2', 'http://loinc.org|LP7839-6'],
  DocumentReference: ['http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category|clinical-note'],
};

/**
 * The category sub-scopes a person may grant instead of `scope`, in v2
 * syntax with the same permissions (`patient/Observation.read` →
 * `patient/Observation.rs?category=…`). Only for a `patient/` or `user/`
 * scope on one of the types above, without a query of its own; otherwise
 * none.
 */
export function categorySubScopes(scope: SmartScope): string[] {
  if (scope.kind !== 'resource' || scope.query !== undefined) return [];
  if (scope.context !== 'patient' && scope.context !== 'user') return [];
  const categories = CATEGORIES[scope.resourceType ?? ''];
  if (!categories) return [];
  return categories.map((category) => `${scope.context}/${scope.resourceType}.${scope.permissions}?category=${category}`);
}

/** One requested scope as the consent page offers it: itself, and the narrower scopes that may be granted instead. */
export interface OfferedScope {
  scope: string;
  alternatives: string[];
}

/** What the consent page offers for a (validated) request scope, in request order. */
export function offeredScopes(requested: string): OfferedScope[] {
  const scopes = ScopeSet.parse(requested);
  return scopes.values().map((s) => ({ scope: s.raw, alternatives: categorySubScopes(s).filter((alt) => !scopes.has(alt)) }));
}

/**
 * What a consent form grants: exactly the offered scopes that stayed ticked
 * (plus the mandatory ones), each followed by its ticked alternatives.
 * Anything ticked that was not offered is ignored, so nothing beyond the
 * request can ever be granted.
 */
export function consentedScope(requested: string, ticked: ReadonlySet<string>, mandatory: (scope: string) => boolean): ScopeSet {
  const granted: SmartScope[] = [];
  for (const offer of offeredScopes(requested)) {
    if (mandatory(offer.scope) || ticked.has(offer.scope)) granted.push(SmartScope.parse(offer.scope)!);
    for (const alternative of offer.alternatives) if (ticked.has(alternative)) granted.push(SmartScope.parse(alternative)!);
  }
  return ScopeSet.of(granted);
}

/**
 * Whether a requested scope stays granted whatever the person unticks (the consent page shows it checked and
 * disabled): without it the launch itself fails: who signed in (`openid`, `fhirUser`), the context the app
 * launches with (`launch`, `launch/patient`) and the refresh token it asked for (`offline_access`).
 */
export function isMandatoryScope(scope: string): boolean {
  const parsed = SmartScope.parse(scope);
  switch (parsed?.kind) {
    case 'identity':
      return parsed.raw === 'openid' || parsed.raw === 'fhirUser';
    case 'launch':
      return parsed.raw === 'launch' || parsed.raw === 'launch/patient';
    case 'access':
      return parsed.raw === 'offline_access';
    default:
      return false;
  }
}
