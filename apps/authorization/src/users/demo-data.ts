import type { PatientEntry } from '../persistence/entities/user.entity.js';

/** Demo people of the embedded development mode (printed at start). Not for production. */
export const DEMO_PATIENTS: PatientEntry[] = [
  { id: 'p-alice', name: 'Alice Walker', birthDate: '1987-04-12' },
  { id: 'p-bob', name: 'Bob Martinez', birthDate: '1952-11-03' },
  { id: 'p-carol', name: 'Carol Nguyen', birthDate: '2011-06-21' },
  { id: 'p-dan', name: 'Dan Okafor', birthDate: '1975-01-30' },
];

export interface DemoUser {
  username: string;
  password: string;
  displayName: string;
  fhirUser: string;
  patients: PatientEntry[];
  /** May use the grant administration page. */
  admin?: boolean;
}

export const DEMO_USERS: DemoUser[] = [
  { username: 'alice', password: 'alice-demo-password', displayName: 'Alice Walker', fhirUser: 'Patient/p-alice', patients: [] },
  { username: 'drsmith', password: 'drsmith-demo-password', displayName: 'Dr. Jordan Smith', fhirUser: 'Practitioner/pr-smith', patients: DEMO_PATIENTS },
  { username: 'siteadmin', password: 'siteadmin-demo-password', displayName: 'Site Administrator', fhirUser: 'Practitioner/pr-admin', patients: [], admin: true },
];
