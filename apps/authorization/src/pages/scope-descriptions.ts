/**
 * Plain-words descriptions of requested scopes, for the consent page.
 *
 * Covers the OpenID Connect and SMART launch scopes and the SMART clinical
 * scopes in both grammars (SMART App Launch 2.x §"Scopes for requesting
 * clinical data"), as `SmartScope` parses them: v1 `context/Type.(read|write|*)`
 * and v2 `context/Type.cruds[?param=value]`. Whatever cannot be parsed is
 * shown as the scope string itself, so nothing requested is ever hidden.
 */
import { SmartScope, type ScopeContext } from '#oauth';

/** What the consent page says about one scope. */
export interface ScopeDescription {
  title: string;
  detail?: string;
}

const FIXED_SCOPES: Readonly<Record<string, ScopeDescription>> = {
  openid: {
    title: 'Confirm that you are signed in',
    detail: 'The app learns that you signed in here, so it knows it is talking to you.',
  },
  fhirUser: {
    title: 'Know who you are in the health record',
    detail: 'The app learns which patient, practitioner or related person you are.',
  },
  profile: {
    title: 'See your name and basic profile',
  },
  email: {
    title: 'See your email address',
  },
  launch: {
    title: 'Start with what you have open',
    detail: 'The app opens with the patient, visit or other context of your current session.',
  },
  'launch/patient': {
    title: 'Know which patient record is open',
    detail: 'The app learns which patient it is working with. You may be asked to choose one.',
  },
  'launch/encounter': {
    title: 'Know which visit is open',
    detail: 'The app learns which visit (encounter) it is working with.',
  },
  offline_access: {
    title: 'Keep access when you are not using the app',
    detail: 'The app can keep its access after you close it, until you withdraw it.',
  },
  online_access: {
    title: 'Keep access while you stay signed in',
    detail: 'The app can renew its access for as long as you are signed in here.',
  },
};

/** Friendly plural nouns for common FHIR resource types. */
const RESOURCE_NOUNS: Readonly<Record<string, string>> = {
  '*': 'all health data',
  AllergyIntolerance: 'allergies',
  Appointment: 'appointments',
  Binary: 'files',
  CarePlan: 'care plans',
  CareTeam: 'care teams',
  Communication: 'messages',
  Composition: 'clinical documents',
  Condition: 'conditions',
  Consent: 'consent records',
  Coverage: 'insurance coverage',
  Device: 'devices',
  DiagnosticReport: 'reports',
  DocumentReference: 'documents',
  Encounter: 'visits',
  ExplanationOfBenefit: 'insurance claims',
  FamilyMemberHistory: 'family history',
  Goal: 'goals',
  Immunization: 'immunizations',
  Location: 'locations',
  Medication: 'medications',
  MedicationAdministration: 'medicines given',
  MedicationDispense: 'medicines dispensed',
  MedicationRequest: 'medication requests',
  MedicationStatement: 'medication lists',
  Observation: 'observations',
  Organization: 'organizations',
  Patient: 'demographics',
  Practitioner: 'practitioners',
  PractitionerRole: 'practitioner roles',
  Procedure: 'procedures',
  Provenance: 'record history',
  Questionnaire: 'questionnaires',
  QuestionnaireResponse: 'questionnaire answers',
  RelatedPerson: 'related people',
  ServiceRequest: 'orders and referrals',
  Specimen: 'specimens',
};

/** Resource types that are not about one patient: `user/` scopes on them read "practitioners you can access". */
const NON_PATIENT_TYPES: ReadonlySet<string> = new Set([
  'Binary',
  'Location',
  'Medication',
  'Organization',
  'Practitioner',
  'PractitionerRole',
  'Questionnaire',
]);

/** Well-known `category` codes (FHIR R4 / US Core code systems). */
const CATEGORY_CODES: ReadonlyArray<{ systems: readonly string[]; code: string; label: string }> = [
  ...[
    ['vital-signs', 'vital signs'],
    ['laboratory', 'lab results'],
    ['social-history', 'social history'],
    ['imaging', 'imaging results'],
    ['survey', 'surveys'],
    ['exam', 'examination findings'],
    ['therapy', 'therapy results'],
    ['activity', 'activity data'],
    ['procedure', 'procedure results'],
  ].map(([code, label]) => ({
    systems: ['http://terminology.hl7.org/CodeSystem/observation-category'],
    code: code!,
    label: label!,
  })),
  ...[
    ['problem-list-item', 'problem list'],
    ['encounter-diagnosis', 'visit diagnoses'],
    ['health-concern', 'health concerns'],
  ].map(([code, label]) => ({
    systems: [
      'http://terminology.hl7.org/CodeSystem/condition-category',
      'http://hl7.org/fhir/us/core/CodeSystem/condition-category',
    ],
    code: code!,
    label: label!,
  })),
  {
    systems: ['http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category'],
    code: 'clinical-note',
    label: 'clinical notes',
  },
  { systems: ['http://hl7.org/fhir/us/core/CodeSystem/us-core-category'], code: 'sdoh', label: 'social needs' },
  { systems: ['http://terminology.hl7.org/CodeSystem/v2-0074'], code: 'LAB', label: 'lab reports' },
  { systems: ['http://terminology.hl7.org/CodeSystem/v2-0074'], code: 'RAD', label: 'radiology reports' },
  { systems: ['http://loinc.org'], code: 'LP29684-5', label: 'radiology reports' },
  { systems: ['http://loinc.org'], code: 'LP29708-2', label: 'cardiology reports' },
  { systems: ['http://loinc.org'], code: 'LP7839-6', label: 'pathology reports' },
];

type Permission = 'c' | 'r' | 'u' | 'd' | 's';

const VERBS: Readonly<Record<Permission, string>> = {
  c: 'create',
  r: 'read',
  u: 'update',
  d: 'delete',
  s: 'search',
};

/** Describes one requested scope in plain words; unknown scopes are titled with the scope itself. */
export function describeScope(scope: string): ScopeDescription {
  if (Object.hasOwn(FIXED_SCOPES, scope)) return { ...FIXED_SCOPES[scope]! };
  return describeClinicalScope(scope) ?? { title: scope };
}

/** A SMART clinical scope (parsed once, by `SmartScope`: v1 `.read`/`.write`/`.*` already normalised to `cruds` letters). */
function describeClinicalScope(scope: string): ScopeDescription | undefined {
  const parsed = SmartScope.parse(scope);
  if (parsed?.kind !== 'resource') return undefined;
  const context = parsed.context!;
  const type = parsed.resourceType!;
  const permissions = [...parsed.permissions!] as Permission[];
  const restriction = parsed.query === undefined ? '' : describeRestriction(parsed.query);
  if (restriction === undefined) return undefined;

  const title = `${capitalize(verbPhrase(permissions))} ${subject(context, type)}${restriction}`;
  const writes = permissions.some((p) => p === 'c' || p === 'u' || p === 'd');
  const detail = [
    `Allowed: ${joinWords(permissions.map((p) => VERBS[p]), 'and')}.`,
    CONTEXT_NOTES[context],
    writes ? 'The app can change information, not only look at it.' : '',
  ]
    .filter(Boolean)
    .join(' ');
  return { title, detail };
}

const CONTEXT_NOTES: Readonly<Record<ScopeContext, string>> = {
  patient: 'Only for the patient record in use.',
  user: 'Anything you are allowed to see yourself.',
  system: 'Across all patients, without anyone signed in.',
};

/** "read" for r and/or s together (searching is a way of reading), other verbs as they are. */
function verbPhrase(permissions: readonly Permission[]): string {
  const has = (p: Permission): boolean => permissions.includes(p);
  const verbs: string[] = [];
  if (has('c')) verbs.push('create');
  if (has('r')) verbs.push('read');
  else if (has('s')) verbs.push('search');
  if (has('u')) verbs.push('update');
  if (has('d')) verbs.push('delete');
  return joinWords(verbs, 'and');
}

function subject(context: ScopeContext, type: string): string {
  const noun = nounFor(type);
  switch (context) {
    case 'patient':
      return type === '*' ? 'all your health data' : `your ${noun}`;
    case 'user':
      if (type === '*') return 'all health data you can access';
      if (NON_PATIENT_TYPES.has(type)) return `${noun} you can access`;
      return `${noun} of patients you can access`;
    case 'system':
      return type === '*' ? 'all health data in the system' : `all ${noun} in the system`;
  }
}

function nounFor(type: string): string {
  if (Object.hasOwn(RESOURCE_NOUNS, type)) return RESOURCE_NOUNS[type]!;
  // ResearchStudy -> "research study records"
  return `${type.replace(/(?<=[a-z])(?=[A-Z])/g, ' ').toLowerCase()} records`;
}

/**
 * `category=…` (v2 query restriction) as " (vital signs only)"; other
 * parameters as " (only where name = value)". Undefined when the query is
 * malformed.
 */
function describeRestriction(query: string): string | undefined {
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(query);
  } catch {
    return undefined;
  }
  const parts: string[] = [];
  for (const [name, value] of params) {
    if (name === '' || value === '') return undefined;
    if (name === 'category') {
      // FHIR search: comma-separated values are alternatives
      parts.push(`${joinWords(value.split(',').map(categoryLabel), 'or')} only`);
    } else {
      parts.push(`only where ${name} = ${value}`);
    }
  }
  return parts.length === 0 ? undefined : ` (${parts.join('; ')})`;
}

function categoryLabel(token: string): string {
  const bar = token.lastIndexOf('|');
  const system = bar >= 0 ? token.slice(0, bar) : undefined;
  const code = bar >= 0 ? token.slice(bar + 1) : token;
  const known = CATEGORY_CODES.find(
    (c) => c.code === code && (system === undefined || system === '' || c.systems.includes(system)),
  );
  return known ? known.label : `category "${code}"`;
}

function joinWords(words: readonly string[], conjunction: 'and' | 'or'): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} ${conjunction} ${words[words.length - 1]}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
